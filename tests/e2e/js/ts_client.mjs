// The official TypeScript SDK client (@modelcontextprotocol/sdk) against a running server:
//   node ts_client.mjs http|sse URL [TOOL ARGS_JSON]
// Connects (initialize + notifications/initialized), lists tools, calls TOOL (default
// fixture_slow with a progress callback) and prints one JSON summary line on stdout.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

const [mode, url, tool = "fixture_slow", args = '{"steps":3,"step_ms":10}'] = process.argv.slice(2);
const headers = process.env.AUTHORIZATION ? { Authorization: process.env.AUTHORIZATION } : {};
const transport =
  mode === "sse"
    ? new SSEClientTransport(new URL(url), { requestInit: { headers } })
    : new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: "ts-e2e", version: "0.0.1" });
await client.connect(transport);
const { tools } = await client.listTools();
const progress = [];
const result = await client.callTool({ name: tool, arguments: JSON.parse(args) }, undefined, {
  onprogress: (p) => progress.push(p.progress),
});
const sessionId = transport.sessionId ?? null;
await client.close();
console.log(
  JSON.stringify({
    protocolVersion: client.getServerVersion() ? transport.protocolVersion ?? null : null,
    server: client.getServerVersion()?.name,
    tools: tools.map((t) => t.name),
    isError: result.isError ?? false,
    text: result.content?.[0]?.text,
    progress,
    sessionId,
  }),
);
