/**
 * The installed provider code. A stackwire resource stores in its state only a small provider
 * that names its kind ("stripe:Price"); at run time that provider loads this module, through the
 * `@stackwire/providers` package (dynamic-providers/package.json), and hands every call to the
 * definition of that kind. So the provider text is a few hundred bytes instead of the whole
 * toolkit, and the code that reads, updates and deletes a resource is the installed one.
 *
 * The upgrade rule that follows (docs/dynamic-providers.md): every kind ever stored stays here
 * under the same name, and each definition handles every state shape an earlier build stored.
 */
import type * as pulumi from "@pulumi/pulumi";
import { agoraProjectDefinition } from "./agora/project";
import { attributeDefinition } from "./appwrite/attribute";
import { appwriteBucketDefinition } from "./appwrite/bucket";
import { collectionDefinition } from "./appwrite/collection";
import { indexDefinition } from "./appwrite/collection-index";
import { databaseDefinition } from "./appwrite/database";
import { appwriteFunctionDefinition } from "./appwrite/function";
import { functionVariableDefinition } from "./appwrite/function-variable";
import { resendProviderDefinition } from "./appwrite/messaging";
import type { ConfigSource } from "./core/credentials";
import { dynamicProvider, type InputSchema, type ResourceDefinition } from "./core/provider";
import { expoVariableDefinition } from "./expo/variable";
import { hookDefinition } from "./gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "./gitlab/mirrors";
import { projectDefinition } from "./gitlab/project";
import { variableDefinition } from "./gitlab/variable";
import { tokenDefinition as mapboxTokenDefinition } from "./mapbox/token";
import { migrationsDefinition } from "./postgres/migrations";
import { featureFlagDefinition } from "./posthog/feature-flag";
import { posthogProjectDefinition } from "./posthog/project";
import { aclUserDefinition } from "./redis/acl-user";
import { apiKeyDefinition } from "./resend/api-key";
import { domainDefinition } from "./resend/domain";
import { resendWebhookDefinition } from "./resend/webhook";
import { priceDefinition } from "./stripe/price";
import { productDefinition } from "./stripe/product";
import { webhookEndpointDefinition } from "./stripe/webhook-endpoint";
import { bucketDefinition } from "./supabase/bucket";
import { authSmtpDefinition } from "./supabase/auth-smtp";
import { edgeFunctionDefinition } from "./supabase/edge-function";
import { secretSetDefinition } from "./supabase/secrets";
import { boardDefinition, labelDefinition, listDefinition } from "./trello/board";
import { trelloWebhookDefinition } from "./trello/webhook";
import { openaiProjectDefinition } from "./openai/project";
import { rateLimitDefinition } from "./openai/rate-limit";
import { serviceAccountDefinition } from "./openai/service-account";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ResourceDefinition<InputSchema, any>;

/** Every resource kind stackwire has ever stored. A kind is never removed or renamed. */
export const DEFINITIONS: readonly AnyDefinition[] = [
    bucketDefinition,
    secretSetDefinition,
    productDefinition,
    priceDefinition,
    webhookEndpointDefinition,
    databaseDefinition,
    collectionDefinition,
    attributeDefinition,
    indexDefinition,
    appwriteBucketDefinition,
    functionVariableDefinition,
    projectDefinition,
    pullMirrorDefinition,
    pushMirrorDefinition,
    hookDefinition,
    variableDefinition,
    boardDefinition,
    listDefinition,
    labelDefinition,
    trelloWebhookDefinition,
    domainDefinition,
    apiKeyDefinition,
    resendWebhookDefinition,
    aclUserDefinition,
    migrationsDefinition,
    appwriteFunctionDefinition,
    resendProviderDefinition,
    edgeFunctionDefinition,
    authSmtpDefinition,
    openaiProjectDefinition,
    serviceAccountDefinition,
    rateLimitDefinition,
    agoraProjectDefinition,
    mapboxTokenDefinition,
    posthogProjectDefinition,
    featureFlagDefinition,
    expoVariableDefinition,
];

export const kindOf = (definition: Pick<AnyDefinition, "module" | "type">) => `${definition.module}:${definition.type}`;

const byKind = new Map(DEFINITIONS.map((d) => [kindOf(d), d]));
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();
let stackConfig: ConfigSource | undefined;

/** The stack config the engine hands the host; the same for every resource of the run. */
export async function configure(config: ConfigSource): Promise<void> {
    stackConfig = config;
    for (const provider of providers.values()) await provider.configure?.({ config } as pulumi.dynamic.ConfigureRequest);
}

type Method = "check" | "diff" | "create" | "read" | "update" | "delete";

/** The engine's arguments, in the order the host passes them, to each operation. */
const OPERATIONS: Record<Method, (p: pulumi.dynamic.ResourceProvider, a: unknown[]) => Promise<unknown> | undefined> = {
    check: (p, [olds, news]) => p.check?.(olds, news),
    diff: (p, [id, olds, news]) => p.diff?.(String(id), olds, news),
    create: (p, [inputs]) => p.create(inputs),
    read: (p, [id, props]) => p.read?.(String(id), props),
    update: (p, [id, olds, news]) => p.update?.(String(id), olds, news),
    delete: (p, [id, props]) => p.delete?.(String(id), props),
};

/**
 * One call from a stored provider, protocol 1: the kind, the method and its arguments.
 * `configure` carries the stack config, the same for every kind.
 */
export async function v1(kind: string, method: Method | "configure", args: unknown[]): Promise<unknown> {
    if (method === "configure") return configure((args[0] as pulumi.dynamic.ConfigureRequest).config);
    return OPERATIONS[method](await provider(kind), args);
}

/** The provider of a kind, configured with the stack config. */
export async function provider(kind: string): Promise<pulumi.dynamic.ResourceProvider> {
    let found = providers.get(kind);
    if (!found) {
        const definition = byKind.get(kind);
        if (!definition) throw new Error(`the installed stackwire has no resource kind "${kind}": it may have been written by another version; see "the upgrade rule" in docs/dynamic-providers.md`);
        found = dynamicProvider(definition);
        if (stackConfig) await found.configure?.({ config: stackConfig } as pulumi.dynamic.ConfigureRequest);
        providers.set(kind, found);
    }
    return found;
}
