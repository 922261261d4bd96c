/** Expo's EAS variables through the provider against the GraphQL emulator: what the scenario tiers do not reach. */
import { describe, expect, it } from "vitest";
import { expoVariableDefinition } from "../../dynamic-providers/expo/variable";
import { ExpoEmulator } from "../../sandbox/emulators/expo";
import { startNewRun } from "../../dynamic-providers/core/once";
import { EXPO_PROJECT } from "../scenarios/expo";
import { useEmulator } from "./emulator-suite";
import { configuredProvider, lifecycle, type ProviderUnderTest } from "./harness";

const PROJECT = EXPO_PROJECT;
const TOKEN = "expo-robot-token-provider-test-0123";
const emulator = new ExpoEmulator({ accounts: [{ name: "acme", token: TOKEN, apps: { [PROJECT]: "@acme/mobile" } }] });
const p = {} as Record<"variable", ProviderUnderTest>;
const served = useEmulator(emulator, async () => {
    p.variable = await configuredProvider(expoVariableDefinition, { expoToken: TOKEN });
});
const { make } = lifecycle(p, () => ({ baseUrl: served.url() }));

/** A GraphQL request as a client sends it. */
const post = (query: string, variables: Record<string, unknown> = {}) =>
    fetch(`${served.url()}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ query, variables }) });

describe("the Expo emulator", () => {
    it("refuses a document its schema does not have, as a GraphQL server does; answers meActor for a token, null without one, 401 for one it does not know", async () => {
        const wrong = await post("query { app { byId(appId: \"x\") { id environmentVariables { id secretValue } } } }");
        expect(wrong.status).toBe(400);
        expect(((await wrong.json()) as { errors: { message: string }[] }).errors[0].message).toBe('Cannot query field "secretValue" on type "EnvironmentVariable".');
        const me = (await (await post("query { meActor { __typename id ... on Robot { firstName } accounts { id name } } }")).json()) as { data: { meActor: { __typename: string; accounts: { name: string }[] } } };
        expect(me.data.meActor).toMatchObject({ __typename: "Robot", accounts: [{ name: "acme" }] });
        const anonymous = await fetch(`${served.url()}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "query { meActor { id } }" }) });
        expect(((await anonymous.json()) as { data: { meActor: unknown } }).data.meActor).toBeNull();
        const unknown = await fetch(`${served.url()}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer nope" }, body: JSON.stringify({ query: "query { meActor { id } }" }) });
        expect(unknown.status).toBe(401);
    });
});

describe("Expo variable provider", () => {
    it("a secret value, never answered again, survives refresh; visibility and environments change in place", async () => {
        const { id, outs, inputs } = await make("variable", { projectId: PROJECT, name: "OPENAI_API_KEY", value: "sk-proj-expoProviderValue0123456789", visibility: "SECRET", environments: ["PRODUCTION", "preview", "preview", "Staging"] });
        expect(inputs.environments).toEqual(["Staging", "preview", "production"]);
        const listed = (await (await post(`query { app { byId(appId: "${PROJECT}") { environmentVariables { id value } } } }`)).json()) as { data: { app: { byId: { environmentVariables: { value: string | null }[] } } } };
        expect(listed.data.app.byId.environmentVariables[0].value).toBeNull();
        const read = await p.variable.provider.read(id, outs);
        expect(read.props!.value).toBe("sk-proj-expoProviderValue0123456789");
        expect((await p.variable.provider.diff(id, read.props!, inputs)).changes).toBe(false);
        const staged = await p.variable.provider.read(id, outs);
        expect(staged.props!.environments).toEqual(["Staging", "preview", "production"]);
        await p.variable.provider.update(id, outs, { ...inputs, visibility: "SENSITIVE", environments: ["production"] });
        expect(emulator.variables.get(id)).toMatchObject({ visibility: "SENSITIVE", environments: ["production"] });
        expect((await p.variable.provider.diff(id, outs, { ...inputs, name: "OPENAI_KEY" })).replaces).toEqual(["name"]);
    });

    it("a plain value changed in the dashboard shows as drift on refresh", async () => {
        const { id, outs, inputs } = await make("variable", { projectId: PROJECT, name: "EXPO_PUBLIC_MAPBOX_WEB", value: "pk.first", visibility: "PUBLIC", environments: ["production"] });
        emulator.variables.get(id)!.value = "pk.changed-by-hand";
        const read = await p.variable.provider.read(id, outs);
        expect((await p.variable.provider.diff(id, read.props!, inputs)).changes).toBe(true);
    });

    it("one name for other environments is another variable; for an environment someone else's variable holds, it is refused before anything is sent", async () => {
        await make("variable", { projectId: PROJECT, name: "API_URL", value: "https://dev.acme.test", visibility: "PUBLIC", environments: ["development"] });
        const prod = await make("variable", { projectId: PROJECT, name: "API_URL", value: "https://acme.test", visibility: "PUBLIC", environments: ["production"] });
        expect(emulator.variables.size).toBe(2);
        emulator.variables.get(prod.id)!.createdAt = "2020-01-01T00:00:00Z";
        startNewRun();
        emulator.resetCounts();
        await expect(p.variable.provider.create({ ...prod.inputs, environments: ["preview", "production"] })).rejects.toThrow(`Expo variable API_URL for production (${prod.id}) already exists in EAS project ${PROJECT} and this stack did not make it: delete it (EAS dashboard, or eas env:delete) or choose another name`);
        expect(emulator.writeCount()).toBe(0);
    });

    it("a token of another account is refused naming expoToken", async () => {
        const stranger = new ExpoEmulator({ accounts: [{ name: "other", token: TOKEN, apps: {} }] });
        const url = await stranger.start();
        try {
            await expect(p.variable.provider.create({ baseUrl: url, projectId: PROJECT, name: "X", value: "v", visibility: "SECRET", environments: ["production"] })).rejects.toThrow(/Entity not authorized: AppEntity\[.*\] .*expoToken or EXPO_TOKEN must be a token of the account that owns the project/);
        } finally {
            await stranger.stop();
        }
    });
});
