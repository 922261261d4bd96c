/**
 * Where the keys a stack makes went, read from the sandbox's emulators: for each key of the mobile
 * blueprint (Agora's App ID and certificate, the OpenAI service account's key, the Mapbox token,
 * PostHog's project key), the value the platform made and the value each consumer holds.
 */
import { SANDBOX_APPWRITE } from "./local-stack";
import type { WiredSandbox } from "./wired-sandbox";

export interface MadeKeyCheck {
    key: string;
    /** "expo EXPO_PUBLIC_AGORA_APP_ID (production, preview, …)", "appwrite notify AGORA_APP_CERTIFICATE". */
    consumer: string;
    /** The consumer holds the value the platform made. */
    holds: boolean;
    /** How the consumer shows it: plain, sensitive, secret. */
    visibility: string;
}

/** The value each made key has on its platform now. */
export function madeValues(sandbox: WiredSandbox): Record<string, string | undefined> {
    const [agora] = [...sandbox.agora.projects.values()].filter((p) => p.status === 1);
    const [posthog] = [...sandbox.posthog.projects.values()].filter((p) => !p.is_pending_deletion);
    const tokens = [...sandbox.mapbox.tokens.values()].filter((t) => t.note.includes("-mapbox-"));
    return {
        "agora.appId": agora?.vendor_key,
        "agora.appCertificate": agora?.sign_key,
        "openai.apiKey": [...sandbox.openai.issuedKeys.keys()].at(-1),
        "posthog.projectKey": posthog?.api_token,
        ...Object.fromEntries(tokens.map((t) => [`mapbox.${t.note.replace(/^.*-mapbox-/, "").replace(/ \(rotation \d+\)$/, "")}`, t.token])),
    };
}

/** Every consumer of a made key, and whether it holds the value its platform made. */
export function checkMadeKeys(sandbox: WiredSandbox): MadeKeyCheck[] {
    const made = madeValues(sandbox);
    const consumers = (sandbox.outputs.platformKeyConsumers ?? {}) as Record<string, string[]>;
    const functionVariables = [...(sandbox.appwrite.functions.get(SANDBOX_APPWRITE.functions[0])?.values() ?? [])];
    return Object.entries(consumers)
        .filter(([key]) => key in made)
        .flatMap(([key, places]) =>
            places.map((place): MadeKeyCheck => {
                const [platform, where, name] = place.split(":");
                if (platform === "expo") {
                    const v = [...sandbox.expo.variables.values()].find((x) => x.name === name);
                    return { key, consumer: `expo ${name} (${where.split(",").join(", ")})`, holds: v !== undefined && v.value === made[key], visibility: (v?.visibility ?? "missing").toLowerCase() };
                }
                const v = functionVariables.find((x) => x.key === name);
                return { key, consumer: `${platform} ${where} ${name}`, holds: v !== undefined && v.value === made[key], visibility: v?.secret ? "secret" : "plain" };
            }),
        );
}

/** Made keys of which more than one is live: after a rotation, the old one not yet deleted. */
export function keysLiveTwice(sandbox: WiredSandbox): string[] {
    const tokens = [...sandbox.mapbox.tokens.values()].filter((t) => t.note.includes("-mapbox-"));
    return [...(sandbox.openai.issuedKeys.size > 1 ? ["openai.apiKey"] : []), ...(tokens.length > new Set(tokens.map((t) => t.note.replace(/ \(rotation \d+\)$/, ""))).size ? ["a Mapbox token"] : [])];
}
