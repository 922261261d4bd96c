/**
 * Preloaded (`node --require`) into a process that must talk to local servers only: any
 * connection to another host fails, and a line saying so goes to stderr, which the test reads.
 * It proves a stack whose base URLs point at the emulators never calls a vendor's public host.
 */
import * as net from "node:net";

export const GUARD_LINE = "stackwire network guard: refused a connection to";
const LOCAL = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);

function hostOf(args: unknown[]): string | undefined {
    const [first, second] = args as [unknown, unknown];
    if (Array.isArray(first)) return hostOf(first);
    if (first && typeof first === "object") return (first as { host?: string; path?: string }).path ? "unix socket" : ((first as { host?: string }).host ?? "localhost");
    if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) return typeof second === "string" ? second : "localhost";
    return "unix socket";
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== "unix socket" && host !== undefined && !LOCAL.has(host)) {
        process.stderr.write(`${GUARD_LINE} ${host}\n`);
        process.nextTick(() => this.destroy(new Error(`${GUARD_LINE} ${host}`)));
        return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
