/**
 * Secret settings are declared by the services that need them, and every secret the project
 * documents is one stackwire accepts: set with `pulumi config set --secret`, none is refused as
 * "not a stackwire setting".
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SECRET_KEYS, StackConfigError, validateStackConfig } from "../../stacks/config";
import { environmentFor } from "../../stacks/environment";

/** Names in the `# Secrets` block of Pulumi.yaml's comments: "#   name[, name]  string, secret…". */
function secretsInPulumiYaml(): string[] {
    const text = readFileSync("Pulumi.yaml", "utf8");
    const block = text.slice(text.indexOf("# Secrets"));
    return [...block.matchAll(/^#\s{2,}([A-Za-z]+(?:,\s*[A-Za-z]+)*)\s+(?:strings?|object),/gm)].flatMap((m) => m[1].split(/,\s*/));
}

/** Names in the first column of the Secrets table of docs/configuration.md. */
function secretsInConfigurationDocs(): string[] {
    const text = readFileSync("docs/configuration.md", "utf8");
    const section = text.slice(text.indexOf("## Secrets"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| Key")));
    return [...table.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([A-Za-z]+)`/g)].map((n) => n[1]));
}

function problemsWith(secret: string): string[] {
    try {
        validateStackConfig({ settings: {}, secretness: { [secret]: true }, env: {} }, environmentFor("stackwire", "dev"));
        return [];
    } catch (err) {
        if (!(err instanceof StackConfigError)) throw err;
        return err.problems.map((p) => `${p.path}: ${p.rule}`);
    }
}

describe("secret settings", () => {
    const documented = [...new Set([...secretsInPulumiYaml(), ...secretsInConfigurationDocs()])];

    it("are documented in Pulumi.yaml and docs/configuration.md", () => {
        expect(secretsInPulumiYaml().length).toBeGreaterThanOrEqual(10);
        expect(secretsInConfigurationDocs().length).toBeGreaterThanOrEqual(10);
        expect(documented).toContain("redisAdminPassword");
    });

    it.each(documented)("%s, set as a secret, is accepted", (secret) => {
        expect(problemsWith(secret)).toEqual([]);
    });

    it("every accepted secret is documented in both places", () => {
        expect([...SECRET_KEYS].sort()).toEqual([...new Set(secretsInPulumiYaml())].sort());
        expect([...SECRET_KEYS].sort()).toEqual([...new Set(secretsInConfigurationDocs())].sort());
    });

    it("an undocumented name is still refused, naming the known settings", () => {
        expect(problemsWith("redisPassword")).toEqual([expect.stringMatching(/^redisPassword: is not a stackwire setting \(known: .*redisAdminPassword/)]);
    });
});
