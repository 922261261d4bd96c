/** Expo (EAS) environment variables: the stack's keys handed to an Expo project's builds and updates. */
import { z } from "zod";
import { baseUrlSchema } from "../core/rest";

/** Expo's API (eas-cli src/api.ts getExpoApiBaseUrl); its GraphQL endpoint is `<base>/graphql`. */
export const EXPO_BASE_URL = "https://api.expo.dev";

/** EnvironmentVariableVisibility (eas-cli graphql.schema.json); eas-cli's words for them: plaintext, sensitive, secret. */
export const EXPO_VISIBILITIES = { plain: "PUBLIC", sensitive: "SENSITIVE", secret: "SECRET" } as const;

/**
 * eas-cli's rule for environment names (src/utils/prompts.ts): letters, digits, _ and -; the
 * defaults are development, preview, production; others are custom environments, which need an
 * Enterprise plan (eas-cli src/environments/resolve.ts).
 */
export const EXPO_ENVIRONMENT_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const EXPO_DEFAULT_ENVIRONMENTS = ["development", "preview", "production"] as const;

/** eas-cli's rule for variable names (src/utils/prompts.ts): letters, digits and _. */
export const EXPO_VARIABLE_NAME_PATTERN = /^\w+$/;

export const expoEnvironments = () =>
    z
        .array(z.string().regex(EXPO_ENVIRONMENT_PATTERN, "must be an environment name: letters, digits, _ and -"))
        .min(1, "must name at least one environment")
        // The three default environments as eas-cli sends them (lower-case: the enum it replaced was upper-case); custom
        // ones (an Enterprise plan's) as written. One order, so a reordering is no change.
        .transform((list) => [...new Set(list.map(environmentName))].sort());

/** DEVELOPMENT → development; a custom environment's name is its own. */
export const environmentName = (name: string) => ((EXPO_DEFAULT_ENVIRONMENTS as readonly string[]).includes(name.toLowerCase()) ? name.toLowerCase() : name);

export function expoVariableInputSchema() {
    return z.object({
        baseUrl: baseUrlSchema(EXPO_BASE_URL),
        /** The EAS project id (app.json `extra.eas.projectId`), a UUID. */
        projectId: z.string().uuid("must be the EAS project id (app.json extra.eas.projectId), a UUID"),
        name: z.string().regex(EXPO_VARIABLE_NAME_PATTERN, "must be letters, digits and _ only"),
        value: z.string().min(1, "must not be empty"),
        visibility: z.enum(["PUBLIC", "SENSITIVE", "SECRET"]),
        environments: expoEnvironments(),
    });
}
export type ExpoVariableInputs = z.output<ReturnType<typeof expoVariableInputSchema>>;
