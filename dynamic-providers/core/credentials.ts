/**
 * Credentials reach a dynamic provider at run time only: from the stack config that the engine
 * hands to `configure` (set with `pulumi config set --secret`), or from environment variables
 * read when an operation runs. Nothing here is read at module load, so the serializer that writes
 * the provider into the state never sees a credential.
 */

/** The config namespace of every stackwire key (the Pulumi project name). */
export const CONFIG_NAMESPACE = "stackwire";

export interface CredentialSpec {
    /** Key in the stack config, without the namespace, e.g. "supabaseServiceRoleKey". */
    configKey: string;
    /** Environment variables consulted, in order, when the config has no value. */
    envVars: readonly string[];
    /** What a person calls it, e.g. "Supabase service-role key". */
    label: string;
}

/** The shape of the engine's config object as the dynamic-provider host passes it. */
export interface ConfigSource {
    get(key: string): string | undefined;
}

export class MissingCredentialError extends Error {
    constructor(spec: CredentialSpec) {
        const envHint = spec.envVars.length > 0 ? ` or set the environment variable ${spec.envVars.join(" / ")}` : "";
        const message = `${spec.label} is not set: run \`pulumi config set --secret ${spec.configKey} <value>\`${envHint}.`;
        super(message);
        this.message = message; // see ProviderError: serialized Error subclasses lose super's message
        this.name = "MissingCredentialError";
    }
}

/** Looks a credential up now. Throws a message that names where to set it, never a value. */
export function resolveCredential(spec: CredentialSpec, config: ConfigSource | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const fromConfig = config?.get(`${CONFIG_NAMESPACE}:${spec.configKey}`);
    if (fromConfig) return fromConfig;
    for (const name of spec.envVars) {
        const value = env[name];
        if (value) return value;
    }
    throw new MissingCredentialError(spec);
}
