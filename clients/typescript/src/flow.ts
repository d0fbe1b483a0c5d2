// The main flow of a frontend, through a client generated from the live /openapi.json.
// Run: node dist/flow.js http://127.0.0.1:8000 (after generating src/schema.d.ts and tsc).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Reading = components["schemas"]["ReadingRead"];
type Problem = components["schemas"]["Problem"];

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SSE frames of a finished stream: event name and JSON data. */
async function readEvents(body: ReadableStream<Uint8Array>): Promise<{ event: string; data: any }[]> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
  }
  const events = [];
  for (const frame of text.split("\n\n")) {
    const lines = frame.split("\n").filter((line) => line && !line.startsWith(":"));
    const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
    const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
    if (event) events.push({ event, data: JSON.parse(data) });
  }
  return events;
}

async function main(baseUrl: string): Promise<void> {
  const api = createClient<paths>({ baseUrl });

  const list = await api.GET("/api/v1/cards", { params: { query: { limit: 100 } } });
  check(list.data, `listCards answered ${list.response.status}`);
  check(list.data.total === 78 && list.data.items.length === 78, "listCards: 78 cards");
  check(list.response.headers.get("etag"), "listCards: an ETag");

  const card = await api.GET("/api/v1/cards/{card_id}", { params: { path: { card_id: "cuqu" } } });
  check(card.data?.code === "cuqu", "getCard by short code");
  check(card.data.name === "Queen of Cups", `getCard: ${card.data.name}`);

  const missing = await api.GET("/api/v1/cards/{card_id}", { params: { path: { card_id: "ar99" } } });
  const problem: Problem | undefined = missing.error;
  check(missing.response.status === 404 && problem?.status === 404, "a typed 404 problem");

  const key = `flow-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const body = { question: "What should I focus on this month?", spread: "three-card", seed: 7 };
  const created = await api.POST("/api/v1/readings", {
    body,
    params: { header: { "idempotency-key": key } },
  });
  check(created.response.status === 202 && created.data, `createReading: ${created.response.status}`);
  const id = created.data.id;
  check(created.response.headers.get("location")?.endsWith(`/api/v1/readings/${id}`), "Location");
  check(created.data.cards.length === 3, "three cards drawn");

  const retried = await api.POST("/api/v1/readings", {
    body,
    params: { header: { "idempotency-key": key } },
  });
  check(retried.data?.id === id, "a retry with the same Idempotency-Key gets the same reading");

  let reading: Reading = created.data;
  for (let tries = 0; reading.status !== "completed" && reading.status !== "failed"; tries++) {
    check(tries < 200, "the reading never finished");
    await sleep(50);
    const polled = await api.GET("/api/v1/readings/{reading_id}", {
      params: { path: { reading_id: id } },
    });
    check(polled.data, `getReading: ${polled.response.status}`);
    reading = polled.data;
  }
  check(reading.status === "completed" && reading.interpretation.length > 200, "completed");

  const stream = await api.GET("/api/v1/readings/{reading_id}/stream", {
    params: { path: { reading_id: id } },
    parseAs: "stream",
  });
  check(stream.response.ok && stream.data, `streamReading: ${stream.response.status}`);
  check(stream.response.headers.get("content-type")?.startsWith("text/event-stream"), "SSE");
  const events = await readEvents(stream.data as ReadableStream<Uint8Array>);
  const streamed = events.filter((e) => e.event === "chunk").map((e) => e.data.text).join("");
  check(streamed === reading.interpretation, "the stream carries the polled text");
  check(events.at(-1)?.event === "done", "the stream ends with done");

  console.log(JSON.stringify({ cards: list.data.total, reading: id, streamed: streamed.length }));
}

main(process.argv[2] ?? "http://127.0.0.1:8000").catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
