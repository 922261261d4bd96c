import { describe, expect, it } from "vitest";
import { StackConfigError, validateStackConfig, type RawStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";

const dev = environmentFor("stackwire", "dev");
const validSupabase = {
    url: "https://abcd.supabase.co",
    buckets: { avatars: { public: true, fileSizeLimit: "5MB", allowedMimeTypes: ["image/png", "Image/JPEG"] } },
};

function raw(settings: Record<string, unknown>, secrets: Record<string, boolean> = { supabaseServiceRoleKey: true }): RawStackConfig {
    const secretness: Record<string, boolean> = { ...secrets };
    for (const key of Object.keys(settings)) secretness[key] = false;
    return { settings, secretness, env: {} };
}

function problemsOf(input: RawStackConfig): string[] {
    try {
        validateStackConfig(input, dev);
    } catch (err) {
        expect(err).toBeInstanceOf(StackConfigError);
        return (err as StackConfigError).problems.map((p) => `${p.path}: ${p.rule}${p.received !== undefined ? ` (received ${p.received})` : ""}`);
    }
    throw new Error("config was accepted");
}

describe("a valid config", () => {
    it("plans buckets with physical ids, bytes and lower-case MIME types", () => {
        const config = validateStackConfig(raw({ supabase: validSupabase }), dev);
        expect(config.supabase?.storage.buckets).toEqual({
            avatars: { bucketId: "stackwire-dev-avatars", public: true, fileSizeLimit: 5_000_000, allowedMimeTypes: ["image/png", "image/jpeg"], forceDestroy: false },
        });
    });

    it("accepts the credential from the environment instead of the config", () => {
        const input = { ...raw({ supabase: validSupabase }, {}), env: { SUPABASE_SERVICE_ROLE_KEY: "x" } };
        expect(() => validateStackConfig(input, dev)).not.toThrow();
    });

    it("needs no credential when the service is not configured", () => {
        expect(validateStackConfig(raw({}, {}), dev).supabase).toBeUndefined();
    });
});

describe("an invalid config is rejected naming the field and the rule", () => {
    const bucket = (extra: Record<string, unknown>) => ({ supabase: { ...validSupabase, buckets: { avatars: extra } } });
    it.each([
        ["a URL that is not one", { supabase: { ...validSupabase, url: "abcd.supabase.co" } }, /^supabase\.url: must be the project's http\(s\) URL/],
        ["an upper-case bucket name", { supabase: { ...validSupabase, buckets: { Avatars: {} } } }, /^supabase\.buckets\.Avatars: must be lower-case letters/],
        ["a bucket name over 40 characters", { supabase: { ...validSupabase, buckets: { ["a".repeat(41)]: {} } } }, /at most 40 characters/],
        ["a size in words", bucket({ fileSizeLimit: "5 megabytes" }), /^supabase\.buckets\.avatars\.fileSizeLimit: must be a whole number of bytes or a size such as "50MB".*received "5 megabytes"/],
        ["a fractional byte count", bucket({ fileSizeLimit: 1.5 }), /fileSizeLimit: must be a whole number of bytes.*received 1\.5/],
        ["a MIME type without subtype", bucket({ allowedMimeTypes: ["png"] }), /^supabase\.buckets\.avatars\.allowedMimeTypes\[0\]: must be a MIME type/],
        ["a MIME type listed twice", bucket({ allowedMimeTypes: ["image/png", "IMAGE/PNG"] }), /allowedMimeTypes: must not list a MIME type twice/],
        ["a misspelt bucket option", bucket({ pubic: true }), /^supabase\.buckets\.avatars: Unrecognized key: "pubic"/],
        ["a non-boolean visibility", bucket({ public: "yes" }), /^supabase\.buckets\.avatars\.public: Invalid input: expected boolean.*received "yes"/],
        ["a misspelt section", { supabse: validSupabase }, /^supabse: is not a stackwire setting \(known: environment, supabase, stripe, .*supabaseServiceRoleKey.*\)/],
        ["a Redis URL carrying its password", { redis: { url: "redis://:hunter2-cache-password@cache.internal:6379" } }, /^redis\.url: must not contain credentials: set the password with `pulumi config set --secret redisAdminPassword <value>` \(received "redis:\/\/\*\*\*\*@cache\.internal:6379"\)$/],
        ["a nested setting set without --path", { "supabase.url": "https://abcd.supabase.co" }, /^supabase\.url: is not a stackwire setting: to set a value inside supabase, run `pulumi config rm supabase\.url`, then `pulumi config set --path 'supabase\.url' <value>`$/],
        ["a numeric-looking name read as a number", { trello: { boards: { devops: { name: 2024, lists: ["Issues"] } } } }, /^trello\.boards\.devops\.name: .*expected string.*to keep 2024 as text, set it with `pulumi config set --type string --path 'trello\.boards\.devops\.name' 2024`/],
        ["two Resend webhooks to one endpoint", { resend: { webhooks: { a: { endpoint: "https://app.example/resend", events: ["email.sent"] }, b: { endpoint: "https://app.example/resend", events: ["email.bounced"] } } } }, /^resend\.webhooks\.b\.endpoint: is already the endpoint of resend\.webhooks\.a: list every event in one webhook$/],
        ["an unknown environment", { environment: "qa" }, /^environment: Invalid option: expected one of "dev"\|"staging"\|"prod"\|"preview"\|"local"/],
    ])("%s", (_what, settings, expected) => {
        const problems = problemsOf(raw(settings));
        expect(problems.join("\n")).not.toContain("hunter2");
        expect(problems.some((p) => expected.test(p)), problems.join("\n")).toBe(true);
    });

    it("a missing credential, naming the command and the variable", () => {
        expect(problemsOf(raw({ supabase: validSupabase }, {}))).toEqual([
            "supabaseServiceRoleKey: is required: run `pulumi config set --secret supabaseServiceRoleKey <value>` or set SUPABASE_SERVICE_ROLE_KEY",
        ]);
    });

    it("a credential stored in plain text", () => {
        expect(problemsOf(raw({ supabase: validSupabase }, { supabaseServiceRoleKey: false }))).toEqual([
            "supabaseServiceRoleKey: is a credential: set it with `pulumi config set --secret supabaseServiceRoleKey <value>`",
        ]);
    });

    it("lists every problem at once", () => {
        const problems = problemsOf(raw({ supabse: 1, supabase: { url: "nope", buckets: { Bad: {}, ok: { fileSizeLimit: -1 } } } }, {}));
        expect(problems).toHaveLength(5);
    });

    it("shows a long value cut inside its quotes, and calls prose prose, not a credential", () => {
        const long = "a".repeat(400);
        const [problem] = problemsOf(raw({ supabase: { ...validSupabase, url: long } }));
        expect(problem).toContain(`(received "${"a".repeat(80)}…")`);
        expect(problem).not.toContain("shaped like a credential");
    });

    it("never echoes a value shaped like a credential, whichever field it was typed into", () => {
        const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
        const problems = problemsOf(raw({ supabase: { ...validSupabase, url: jwt } }));
        expect(problems.join("\n")).not.toContain(jwt);
        expect(problems[0]).toContain("shaped like a credential");
    });
});
