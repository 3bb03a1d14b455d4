// `helm test` smoke test: run by the test pod (templates/tests/smoke.yaml) with the API's image, so it needs
// nothing but Node. Checks each part of a release through the addresses the apps themselves use, and prints
// one line per check. Exits 1 if any check failed.
// Environment: API_URL, WEB_URL (in-cluster Service URLs), EXPECTED_API_URL (what /config.js must announce),
// DATABASE_HOST/PORT, REDIS_HOST/PORT, REDIS_PASSWORD (optional), S3_ENDPOINT (the in-cluster S3 server's;
// unset for an external service, which has no /health), SMOKE_RETRY_SECONDS (how long a failing check is retried).
//
// A check that fails is tried again, once a second, until SMOKE_RETRY_SECONDS have passed since the start: a new
// pod's NetworkPolicy rules can take a moment to be in force (some policy engines program them after the pod has
// started), and a release that was just upgraded may still be rolling.
import { connect } from "node:net";

const env = process.env;
const checks = [];
const check = (name, run) => checks.push({ name, run });

async function get(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

function expectStatus(url, status, contains) {
  return async () => {
    const response = await get(url);
    if (response.status !== status) throw new Error(`${url} answered ${response.status}, expected ${status}`);
    if (contains && !response.body.includes(contains)) throw new Error(`${url} does not contain ${contains}`);
  };
}

/** Opens a TCP connection, sends `send` (if any) and resolves with the answer once `done(answer)` holds. */
function talk(host, port, send, done = () => true) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), timeout: 5_000 });
    let received = "";
    socket.on("connect", () => {
      if (!send) {
        socket.destroy();
        resolve("");
      } else socket.write(send);
    });
    socket.on("data", (chunk) => {
      received += chunk;
      if (done(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("timeout", () => socket.destroy(new Error(`no answer from ${host}:${port} in 5 s`)));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

/** A RESP command as an array of bulk strings. */
const resp = (...args) => `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;

check("API is ready", expectStatus(`${env.API_URL}/readyz`, 200));
check("API serves its OpenAPI document", expectStatus(`${env.API_URL}/v1/openapi.json`, 200, '"openapi"'));
check("API serves public articles", expectStatus(`${env.API_URL}/v1/public/articles`, 200));
check("web site serves its page", expectStatus(`${env.WEB_URL}/`, 200));
check("web site announces the API's public URL", expectStatus(`${env.WEB_URL}/config.js`, 200, env.EXPECTED_API_URL));
check("PostgreSQL accepts connections", () => talk(env.DATABASE_HOST, env.DATABASE_PORT, ""));
check("Redis answers PING", async () => {
  const commands = (env.REDIS_PASSWORD ? resp("AUTH", env.REDIS_PASSWORD) : "") + resp("PING");
  const answer = await talk(env.REDIS_HOST, env.REDIS_PORT, commands, (text) => /\+PONG|^-|\r\n-/.test(text));
  if (!answer.includes("+PONG")) throw new Error(`Redis answered ${JSON.stringify(answer.split("\r\n")[0])}`);
});
if (env.S3_ENDPOINT) {
  check("S3 server is healthy", expectStatus(`${env.S3_ENDPOINT}/health`, 200));
}

const deadline = Date.now() + Number(env.SMOKE_RETRY_SECONDS ?? 30) * 1000;
let failed = 0;
for (const { name, run } of checks) {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      console.log(`ok    ${name}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
      break;
    } catch (error) {
      if (Date.now() + 1_000 < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      failed++;
      console.log(`FAIL  ${name}: ${error.message}`);
      break;
    }
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
