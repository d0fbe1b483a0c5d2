// The demo page: spreads from the API, a reading created by POST, its text followed with
// EventSource through the reading's stream_url. No framework, no build step.
"use strict";

const API = "/api/v1";
const $ = (id) => document.getElementById(id);

function setState(state, message) {
  document.body.dataset.state = state;
  $("status").textContent = message || "";
}

async function problemText(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

async function loadSpreads() {
  const response = await fetch(`${API}/spreads`);
  if (!response.ok) throw new Error(await problemText(response));
  const select = $("spread");
  select.replaceChildren();
  for (const spread of await response.json()) {
    const count = spread.positions.length;
    const option = new Option(`${spread.name} (${count} card${count === 1 ? "" : "s"})`, spread.slug);
    option.title = spread.description;
    select.add(option);
  }
  select.value = select.querySelector('option[value="three-card"]') ? "three-card" : select.value;
}

function showCards(cards) {
  const section = $("cards");
  section.replaceChildren();
  for (const card of cards) {
    const figure = document.createElement("figure");
    figure.className = card.reversed ? "card reversed" : "card";
    const image = new Image();
    image.src = card.image_url;
    image.alt = `${card.name}${card.reversed ? " (reversed)" : ""}`;
    image.width = 150;
    image.height = 260;
    const caption = document.createElement("figcaption");
    const place = document.createElement("strong");
    place.textContent = card.position_name;
    const name = document.createElement("span");
    name.textContent = card.reversed ? `${card.name}, reversed` : card.name;
    caption.append(place, name);
    figure.append(image, caption);
    section.append(figure);
  }
}

function follow(streamUrl) {
  const output = $("reading");
  output.replaceChildren();
  const source = new EventSource(streamUrl);
  source.addEventListener("status", (event) => {
    const { status } = JSON.parse(event.data);
    if (status === "pending") setState("waiting", "Waiting for a reader…");
    if (status === "running") setState("streaming", "The reading is being written…");
  });
  source.addEventListener("chunk", (event) => {
    output.append(document.createTextNode(JSON.parse(event.data).text));
  });
  source.addEventListener("reset", () => output.replaceChildren()); // rewritten from the start
  source.addEventListener("done", (event) => {
    source.close();
    const { provider } = JSON.parse(event.data);
    setState("done", `Written by the ${provider} reader.`);
    $("submit").disabled = false;
  });
  source.addEventListener("error", (event) => {
    // A server "error" event carries data; a dropped connection does not and reconnects.
    if (event.data) {
      source.close();
      setState("failed", `The reading failed: ${JSON.parse(event.data).error}`);
      $("submit").disabled = false;
    } else if (source.readyState === EventSource.CLOSED) {
      setState("failed", "The stream closed; reload the page to try again.");
      $("submit").disabled = false;
    }
  });
}

async function ask(event) {
  event.preventDefault();
  $("submit").disabled = true;
  setState("creating", "Drawing the cards…");
  const request = {
    question: $("question").value,
    spread: $("spread").value,
    reversals: $("reversals").checked,
  };
  // `/?seed=42` repeats a draw, so a link can show someone the same cards.
  const seed = new URLSearchParams(location.search).get("seed");
  if (seed !== null && /^[0-9]{1,18}$/.test(seed)) request.seed = Number(seed);
  const response = await fetch(`${API}/readings`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    setState("failed", await problemText(response));
    $("submit").disabled = false;
    return;
  }
  const reading = await response.json();
  document.body.dataset.readingId = reading.id;
  showCards(reading.cards);
  follow(reading.stream_url);
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", ask);
  loadSpreads().then(
    () => setState("ready"),
    (error) => setState("failed", `Could not load the spreads: ${error.message}`),
  );
});
