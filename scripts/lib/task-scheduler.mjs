// Cloud Tasks holds a task until its `scheduleTime`; the Cloud Tasks emulator of firebase-tools 14 dispatches every
// task at once and only copies that time into a header. This scheduler stands in front of the emulator for the
// engine: a task whose scheduleTime is in the future is held (in memory, as the emulator keeps its own queue) and
// handed to the emulator at that time; everything else passes straight through. A second task with the name of a
// held one is refused with 409, as Cloud Tasks refuses a duplicate id. So a delayed run starts at its time in the
// emulator suite, as in production, without re-deliveries.
import { createServer } from "node:http";

/**
 * A held task goes to the emulator this long before its time: long enough to cover a cold start of `runTask`'s
 * worker, and within what the runner waits out (EARLY_WAIT_MS, 5 s, functions/src/queue/config.ts), so the attempt
 * starts on the dot.
 */
const LEAD_MS = 4000;

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

async function forward(upstream, method, url, headers, body) {
  const response = await fetch(`http://${upstream}${url}`, {
    method,
    headers: { "content-type": headers["content-type"] ?? "application/json", authorization: headers.authorization },
    body: method === "GET" || method === "HEAD" ? undefined : body,
  });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

/**
 * Starts the scheduler on `host:port`, in front of the Cloud Tasks emulator at `upstream` (`host:port`).
 * Resolves to `{ port, close, held }`: `held()` is the number of tasks waiting for their time.
 */
export async function startTaskScheduler({ host, port, upstream, log = () => {} }) {
  /** Held tasks by name: the timer that forwards each. */
  const held = new Map();

  const server = createServer(async (request, response) => {
    const reply = (status, body, type = "application/json") => {
      response.writeHead(status, { "content-type": type });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    try {
      const body = await readBody(request);
      const isCreate = request.method === "POST" && /\/queues\/[^/]+\/tasks$/.test(request.url ?? "");
      const task = isCreate ? JSON.parse(body.toString("utf8") || "{}").task : undefined;
      const dueAt = task?.scheduleTime ? Date.parse(task.scheduleTime) : NaN;
      if (task?.name && Number.isFinite(dueAt) && dueAt - Date.now() > LEAD_MS) {
        if (held.has(task.name)) return reply(409, "A task with the same name already exists", "text/plain");
        const headers = { ...request.headers };
        const timer = setTimeout(
          () => {
            held.delete(task.name);
            forward(upstream, "POST", request.url, headers, body).then(
              (result) => result.status >= 300 && log(`task ${task.name} refused by the emulator: ${result.body}`),
              (error) => log(`task ${task.name} could not be handed to the emulator: ${error.message}`),
            );
          },
          dueAt - LEAD_MS - Date.now(),
        );
        held.set(task.name, timer);
        return reply(200, { task });
      }
      // A delete names the task by its path; a held task is forgotten here and never reaches the emulator.
      const deletedName = [...held.keys()].find((name) => request.method === "DELETE" && request.url?.endsWith(name));
      if (deletedName) {
        clearTimeout(held.get(deletedName));
        held.delete(deletedName);
        return reply(200, { res: "OK" });
      }
      const result = await forward(upstream, request.method ?? "GET", request.url ?? "/", request.headers, body);
      return reply(result.status, result.body, result.type ?? "text/plain");
    } catch (error) {
      return reply(502, `task scheduler: ${error.message}`, "text/plain");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    port: server.address().port,
    held: () => held.size,
    close: () =>
      new Promise((resolve) => {
        for (const timer of held.values()) clearTimeout(timer);
        held.clear();
        server.close(() => resolve());
      }),
  };
}
