/**
 * Expo's GraphQL API, the operations eas-cli sends for environment variables (expo/eas-cli
 * @790231ea packages/eas-cli/src/graphql/mutations/EnvironmentVariableMutation.ts and
 * queries/EnvironmentVariablesQuery.ts), with an access token as eas-cli sends EXPO_TOKEN:
 * `authorization: Bearer <token>` (src/commandUtils/context/contextUtils/createGraphqlClient.ts).
 * A failure comes as {"errors": [{"message", "extensions": {"errorCode", "errorType"}}]}.
 */
import type { CredentialSpec } from "../core/credentials";
import type { HttpCall } from "../core/http";
import type { OperationContext } from "../core/provider";
import { joinUrl } from "../core/rest";

/** A robot or personal access token of an account that may edit the project's variables (EXPO_TOKEN, as eas-cli reads it). */
export const expoToken: CredentialSpec = { configKey: "expoToken", envVars: ["EXPO_TOKEN"], label: "Expo access token" };

export interface GraphqlFailure {
    message: string;
    extensions?: { errorCode?: string; errorType?: string };
}

/** Raised for an answer with `errors`: the first error's message and code. */
export class ExpoGraphqlError extends Error {
    constructor(
        readonly errorCode: string | undefined,
        message: string,
    ) {
        super(message);
        this.name = "ExpoGraphqlError";
    }
}

/** One GraphQL operation: POST `{query, operationName, variables}`, the answer's `data`, or its first error thrown. */
export async function expoGraphql<T>(ctx: OperationContext, baseUrl: string, operation: string, document: string, operationName: string, variables: Record<string, unknown>, call: HttpCall = ctx.http(operation)): Promise<T> {
    const response = await call.fetch(joinUrl(baseUrl, "/graphql"), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${ctx.credential(expoToken)}` },
        body: JSON.stringify({ query: document, operationName, variables }),
    });
    const text = await response.text();
    let answer: { data?: T | null; errors?: GraphqlFailure[] } | undefined;
    try {
        answer = JSON.parse(text) as typeof answer;
    } catch {
        answer = undefined;
    }
    const first = answer?.errors?.[0];
    if (first) {
        // Expo refuses a project the token's account does not own as UNAUTHORIZED_ERROR: say which setting to fix.
        const hint = first.extensions?.errorCode === "UNAUTHORIZED_ERROR" ? ` (${expoToken.configKey} or ${expoToken.envVars.join(" / ")} must be a token of the account that owns the project)` : "";
        throw ctx.error(call, { status: response.status, ...(first.extensions?.errorCode ? { code: first.extensions.errorCode } : {}), apiMessage: `${first.message}${hint}` });
    }
    if (!response.ok || !answer?.data) throw ctx.error(call, { status: response.status, apiMessage: answer ? "Expo answered without data" : `HTTP ${response.status}: ${text.slice(0, 200)}` });
    return answer.data;
}

/** The fields eas-cli reads (EnvironmentVariableFragment). */
export const VARIABLE_FIELDS = "id name value environments createdAt updatedAt scope visibility type";

export interface ApiVariable {
    id: string;
    name: string;
    value: string | null;
    environments: string[] | null;
    createdAt: string;
    scope: "PROJECT" | "SHARED" | "ECHO_PROJECT";
    visibility: "PUBLIC" | "SENSITIVE" | "SECRET" | null;
}

/** The project's own variables of a name (EnvironmentVariablesByAppId); shared ones linked to it are left out, as eas-cli does. */
export async function variablesNamed(ctx: OperationContext, baseUrl: string, projectId: string, name: string, operation: string, call?: HttpCall): Promise<ApiVariable[]> {
    const data = await expoGraphql<{ app: { byId: { environmentVariables: ApiVariable[] } } }>(
        ctx,
        baseUrl,
        operation,
        `query EnvironmentVariablesByAppId($appId: String!, $filterNames: [String!]) { app { byId(appId: $appId) { id environmentVariables(filterNames: $filterNames) { ${VARIABLE_FIELDS} } } } }`,
        "EnvironmentVariablesByAppId",
        { appId: projectId, filterNames: [name] },
        call,
    );
    return data.app.byId.environmentVariables.filter((v) => v.scope === "PROJECT" && v.name === name);
}
