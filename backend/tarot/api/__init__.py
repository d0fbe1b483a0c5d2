"""HTTP routers; each validates, calls one service function and returns a schema."""

import sys

# FastAPI asks of every parameter and response type whether it is a pydantic.v1 model, and
# to ask it imports pydantic.v1 (~1.5 MB kept for good). Nothing in the process has imported
# it, so no v1 model can exist and the answer is no: a None entry makes that import fail,
# which FastAPI reads as "no v1" (its ImportError branch). Left alone if already loaded.
if "pydantic.v1" not in sys.modules:
    # typeshed types sys.modules as modules only; the import system documents None as "blocked".
    sys.modules["pydantic.v1"] = None  # type: ignore[assignment]
