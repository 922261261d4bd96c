/**
 * Redis ACL users against a real Redis server (.ci/run installs and starts it):
 * STACKWIRE_TEST_REDIS_URL, default redis://127.0.0.1:6379 with no admin password.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { createClient } from "redis";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aclUserDefinition } from "../../dynamic-providers/redis/acl-user";
import { configuredProvider, type ProviderUnderTest } from "./harness";
import { missingServer } from "./real-servers";

const URL_ = process.env.STACKWIRE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let subject: ProviderUnderTest;
let username = "";
const password = "s3cret-stripe-service-password-0123";

/** The commands these tests send. */
interface Conn {
    set(key: string, value: string): Promise<unknown>;
    get(key: string): Promise<string | null>;
    del(key: string): Promise<number>;
    sendCommand(args: string[]): Promise<unknown>;
}

async function as<T>(url: string, run: (c: Conn) => Promise<T>): Promise<T> {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on("error", () => undefined);
    await client.connect();
    try {
        return await run(client as unknown as Conn);
    } finally {
        await client.quit().catch(() => undefined);
    }
}

let unavailable: string | undefined;

describe("against a real Redis server", () => {
    beforeAll(async () => {
        unavailable = await missingServer("Redis", URL_, "STACKWIRE_TEST_REDIS_URL", () => as(URL_, (c) => c.sendCommand(["PING"])));
    });
    beforeEach((test) => {
        if (unavailable) test.skip(unavailable);
    });

    beforeEach(async () => {
        subject = await configuredProvider(aclUserDefinition, {});
        username = `stripe-svc-${randomBytes(3).toString("hex")}`;
    });
    afterEach(() => as(URL_, (c) => c.sendCommand(["ACL", "DELUSER", username])));

    async function created(extra: Record<string, unknown> = {}) {
        const { inputs, failures } = await subject.provider.check({}, { url: URL_, username, password, keyPatterns: ["svc:stripe:*"], categories: ["+@read", "+@write", "-@dangerous"], ...extra });
        expect(failures ?? []).toEqual([]);
        const { id, outs } = await subject.provider.create(inputs);
        return { id, outs, inputs };
    }

    describe("Redis ACL user", () => {
        it("can use its own keys with a real connection and nothing else", async () => {
            const { outs } = await created();
            expect(outs.connectionUrl).toBe(`redis://${username}:${password}@127.0.0.1:6379`);
            await as(outs.connectionUrl as string, async (c) => {
                await c.set("svc:stripe:last-event", "evt_1");
                expect(await c.get("svc:stripe:last-event")).toBe("evt_1");
                await expect(c.set("svc:openai:cache", "x")).rejects.toThrow(/NOPERM/);
                await expect(c.get("sessions:123")).rejects.toThrow(/NOPERM/);
                await expect(c.sendCommand(["FLUSHALL"])).rejects.toThrow(/NOPERM/);
            });
            await as(URL_, (c) => c.del("svc:stripe:last-event"));
        });

        it("shows no change on a second up, and drift when its rules or password change out of band", async () => {
            const { id, outs, inputs } = await created();
            const read = await subject.provider.read!(id, outs);
            expect((await subject.provider.diff(id, read.props!, inputs)).changes).toBe(false);
            await as(URL_, (c) => c.sendCommand(["ACL", "SETUSER", username, "~everything:*", ">another-password"]));
            const drifted = await subject.provider.read!(id, outs);
            expect(drifted.props!.keyPatterns).toEqual(["everything:*", "svc:stripe:*"]);
            expect(drifted.props!.password).not.toBe(password);
            expect((await subject.provider.diff(id, drifted.props!, inputs)).changes).toBe(true);
            await subject.provider.update(id, drifted.props!, inputs);
            const fixed = await subject.provider.read!(id, outs);
            expect((await subject.provider.diff(id, fixed.props!, inputs)).changes).toBe(false);
        });

        it("delete removes the user; read then drops it from state", async () => {
            const { id, outs } = await created();
            await subject.provider.delete(id, outs);
            expect(await as(URL_, (c) => c.sendCommand(["ACL", "GETUSER", username]))).toBeNull();
            expect((await subject.provider.read!(id, outs)).id).toBe("");
        });

        it("a user deleted out of band leaves the state on refresh, and its delete succeeds (DELUSER removes none)", async () => {
            const { id, outs } = await created();
            expect(await as(URL_, (c) => c.sendCommand(["ACL", "DELUSER", username]))).toBe(1);
            expect((await subject.provider.read!(id, outs)).id).toBe("");
            await expect(subject.provider.delete(id, outs)).resolves.toBeUndefined();
            expect(await as(URL_, (c) => c.sendCommand(["ACL", "DELUSER", username]))).toBe(0);
        });

        it("refuses a user it did not create", async () => {
            await as(URL_, (c) => c.sendCommand(["ACL", "SETUSER", username, "on", ">x"]));
            await expect(created()).rejects.toThrow(/already exists and this stack did not create it/);
        });

        it.each([
            [{ username: "default" }, 'must not be "default"'],
            [{ password: "short" }, "password: must be at least 16 characters"],
            [{ keyPatterns: [] }, "keyPatterns: must give the key patterns"],
            [{ categories: ["read"] }, "categories[0]: must be a category rule such as +@read"],
            [{ url: "redis://admin:pw@127.0.0.1:6379" }, "url: must not contain credentials"],
        ])("rejects %j before connecting", async (news, expected) => {
            const r = await subject.provider.check({}, { url: URL_, username, password, keyPatterns: ["a:*"], categories: ["+@read"], ...news });
            expect((r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n")).toContain(expected);
        });
    });

    /** A Redis server of this test's own whose default user has a password, on a free port. */
    async function passwordProtectedRedis(adminPassword: string): Promise<{ url: string; stop(): Promise<void> } | undefined> {
        const binary = execFileSync("sh", ["-c", "command -v redis-server || true"]).toString().trim();
        if (!binary) return undefined;
        const port = await new Promise<number>((resolve) => {
            const probe = createServer().listen(0, "127.0.0.1", () => {
                const { port: free } = probe.address() as AddressInfo;
                probe.close(() => resolve(free));
            });
        });
        const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", adminPassword], { stdio: "ignore" });
        const url = `redis://127.0.0.1:${port}`;
        for (let i = 0; i < 50; i++) {
            const ready = await as(`redis://:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}`, (c) => c.sendCommand(["PING"])).catch(() => undefined);
            if (ready === "PONG") break;
            await new Promise((r) => setTimeout(r, 100));
        }
        return { url, stop: async () => void child.kill() };
    }

    describe("the admin password (redisAdminPassword)", () => {
        const adminPassword = "admin-password-for-this-test-0123";

        it("is sent when set as a config secret, and its absence is a clear error", async (test) => {
            const server = await passwordProtectedRedis(adminPassword);
            if (!server) {
            if (process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("redis-server is not installed, and STACKWIRE_REQUIRE_SERVERS=1 requires it");
            return test.skip("redis-server is not installed here; .ci/run installs it");
        }
            try {
                const inputs = { url: server.url, username: "svc-admin-test", password, keyPatterns: ["svc:*"], categories: ["+@read"] };
                const withPassword = await configuredProvider(aclUserDefinition, { redisAdminPassword: adminPassword });
                const checked = (await withPassword.provider.check({}, inputs)).inputs;
                const { id, outs } = await withPassword.provider.create(checked);
                expect(id).toBe("svc-admin-test");
                const without = await configuredProvider(aclUserDefinition, {});
                await expect(without.provider.read!(id, outs)).rejects.toThrow(/Redis refused the admin connection .*NOAUTH.*pulumi config set --secret redisAdminPassword/);
                const wrong = await configuredProvider(aclUserDefinition, { redisAdminPassword: "not-the-password-0123" });
                await expect(wrong.provider.read!(id, outs)).rejects.toThrow(/redisAdminPassword is not the server's password/);
                await withPassword.provider.delete(id, outs);
            } finally {
                await server.stop();
            }
        });

        // Issue 16: an admin connection that may not read the ACL gets NOPERM, never a nil "no such user".
        it("signing in as a user without the ACL commands: refresh and destroy fail naming redisAdminPassword, and the user stays", async (test) => {
            const server = await passwordProtectedRedis(adminPassword);
            if (!server) {
                if (process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error("redis-server is not installed, and STACKWIRE_REQUIRE_SERVERS=1 requires it");
                return test.skip("redis-server is not installed here; .ci/run installs it");
            }
            const adminUrl = server.url.replace("redis://", `redis://:${encodeURIComponent(adminPassword)}@`);
            try {
                const withPassword = await configuredProvider(aclUserDefinition, { redisAdminPassword: adminPassword });
                const checked = (await withPassword.provider.check({}, { url: server.url, username: "svc-noperm-test", password, keyPatterns: ["svc:*"], categories: ["+@read"] })).inputs;
                const { id, outs } = await withPassword.provider.create(checked);
                // Another admin to look with, then the default user loses the ACL commands (a managed server's usual default user).
                await as(adminUrl, async (c) => {
                    await c.sendCommand(["ACL", "SETUSER", "root", "on", ">root-password-0123456789", "~*", "&*", "+@all"]);
                    await c.sendCommand(["ACL", "SETUSER", "default", "-@admin"]);
                });
                const refused = /NOPERM this user has no permissions to run the 'acl\|(getuser|deluser)' command.*may not manage ACL users.*set redisAdminPassword \(or REDIS_ADMIN_PASSWORD\)/;
                await expect(withPassword.provider.read!(id, outs)).rejects.toThrow(refused);
                await expect(withPassword.provider.delete(id, outs)).rejects.toThrow(refused);
                const still = await as(server.url.replace("redis://", "redis://root:root-password-0123456789@"), (c) => c.sendCommand(["ACL", "GETUSER", "svc-noperm-test"]));
                expect(still).not.toBeNull();
            } finally {
                await server.stop();
            }
        });
    });
});
