// The baseline for the benchmark: a bare Express 5 app, one route, no middleware.
import express from "express";

const app = express();
app.get("/hello", (_req, res) => {
  res.send("Hello, world!");
});
// Context row for the report: the same JSON the API sends, from memory, with nothing else around it.
let article = "{}";
app.use(express.json({ limit: "1mb" }));
app.put("/article", (req, res) => {
  article = JSON.stringify(req.body);
  res.status(204).end();
});
app.get("/article", (_req, res) => {
  res.type("json").send(article);
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
