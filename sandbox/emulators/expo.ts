/**
 * Expo's GraphQL API (`POST /graphql`), the part eas-cli uses for EAS environment variables and
 * to tell who a token is. The schema below is transcribed from eas-cli's introspection file
 * (expo/eas-cli @790231ea packages/eas-cli/graphql.schema.json), only the types these operations
 * reach, with their nullability; graphql-js validates every document against it, so a query the
 * real schema would refuse ("Cannot query field …") is refused here too.
 *
 * - Auth: `authorization: Bearer <token>` (eas-cli createGraphqlClient.ts). A project the token's
 *   account does not own: an error with extensions.errorCode UNAUTHORIZED_ERROR, as eas-cli
 *   checks for (EasCommand.ts; message format from expo/expo#24750). A token Expo does not know:
 *   HTTP 401 (eas-cli#1767), whose body is no GraphQL answer (urql saw no GraphQL errors); a
 *   request without one is anonymous (meActor null).
 * - Errors: HTTP 200 with {"errors": [{message, extensions: {errorCode, errorType}}], "data": null}
 *   (the fields eas-cli reads in graphql/client.ts; the status Expo uses is not published).
 * - Environments are names (the enum became a scalar in eas-cli 13834039): the three defaults
 *   stored lower-case, custom ones as written (the server's rule is not public; this is assumed).
 *   One name may have several variables for disjoint environments; a second one for an
 *   environment the name already has is refused (eas-cli's own upsert avoids it; the server's
 *   words are not published, written here in eas-cli's).
 * - Values: SENSITIVE and SECRET values are not answered by `environmentVariables` (eas-cli shows
 *   "*****" for them, variableUtils.ts formatVariableValue).
 */
import { randomUUID } from "node:crypto";
import { buildSchema, getOperationAST, graphql, GraphQLError, parse } from "graphql";
import { bearerToken, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

const SCHEMA = buildSchema(`
scalar DateTime
scalar EnvironmentVariableEnvironment
enum EnvironmentVariableVisibility { PUBLIC SECRET SENSITIVE }
enum EnvironmentVariableScope { ECHO_PROJECT PROJECT SHARED }
enum EnvironmentSecretType { FILE_BASE64 STRING }
type EnvironmentVariable {
  createdAt: DateTime!
  environments: [EnvironmentVariableEnvironment!]
  fileName: String
  id: ID!
  isGlobal: Boolean
  linkedEnvironments(appFullName: String, appId: String): [EnvironmentVariableEnvironment!]
  name: String!
  scope: EnvironmentVariableScope!
  type: EnvironmentSecretType!
  updatedAt: DateTime!
  value(includeFileContent: Boolean): String
  visibility: EnvironmentVariableVisibility
}
input CreateEnvironmentVariableInput {
  environments: [EnvironmentVariableEnvironment!]
  fileName: String
  name: String!
  overwrite: Boolean
  type: EnvironmentSecretType
  value: String!
  visibility: EnvironmentVariableVisibility!
}
input UpdateEnvironmentVariableInput {
  environments: [EnvironmentVariableEnvironment!]
  fileName: String
  id: ID!
  name: String
  type: EnvironmentSecretType
  value: String
  visibility: EnvironmentVariableVisibility
}
type DeleteEnvironmentVariableResult { id: ID! }
type EnvironmentVariableMutation {
  createEnvironmentVariableForApp(appId: ID!, environmentVariableData: CreateEnvironmentVariableInput!): EnvironmentVariable!
  deleteEnvironmentVariable(id: ID!): DeleteEnvironmentVariableResult!
  updateEnvironmentVariable(environmentVariableData: UpdateEnvironmentVariableInput!): EnvironmentVariable!
}
type Account { id: ID! name: String! }
interface Actor { id: ID! accounts: [Account!]! firstName: String }
type User implements Actor { id: ID! accounts: [Account!]! firstName: String username: String! }
type Robot implements Actor { id: ID! accounts: [Account!]! firstName: String }
type App {
  environmentVariables(environment: EnvironmentVariableEnvironment, filterNames: [String!]): [EnvironmentVariable!]!
  fullName: String!
  id: ID!
}
type AppQuery { byId(appId: String!): App! }
type RootQuery { app: AppQuery! meActor: Actor }
type RootMutation { environmentVariable: EnvironmentVariableMutation! }
schema { query: RootQuery mutation: RootMutation }
`);

export interface ExpoVariableRecord {
    id: string;
    app: string;
    name: string;
    value: string;
    visibility: "PUBLIC" | "SENSITIVE" | "SECRET";
    environments: string[];
    createdAt: string;
    updatedAt: string;
}

export interface ExpoEmulatorOptions {
    /** Accounts: each with its token (a robot's) and the EAS projects (apps) it owns, by id → full name. */
    accounts: { name: string; token: string; apps: Record<string, string> }[];
}

/** An error as Expo's GraphQL answers one: the fields eas-cli reads. */
const expoError = (message: string, errorCode: string) => new GraphQLError(message, { extensions: { errorCode, errorType: "USER" } });

export class ExpoEmulator extends Emulator {
    readonly variables = new Map<string, ExpoVariableRecord>();

    constructor(private readonly opts: ExpoEmulatorOptions) {
        super({ name: "expo", requestIdHeader: "x-request-id", errorBody: (_status, message) => ({ errors: [{ message, extensions: { errorCode: "INTERNAL_SERVER_ERROR", errorType: "SYSTEM" } }], data: null }) });
    }

    override reset(): void {
        super.reset();
        this.variables.clear();
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        // Anonymous requests run (meActor is null for them); a token Expo does not know is refused outright.
        const token = bearerToken(req);
        if (token === undefined || this.opts.accounts.some((a) => a.token === token)) return undefined;
        // eas-cli#1767: urql reported "[Network] Unauthorized" with no GraphQL errors, so the body was not a GraphQL answer.
        return { status: 401, body: Buffer.from("Unauthorized"), headers: { "content-type": "text/plain" } };
    }

    private account(req: EmulatorRequest) {
        const token = bearerToken(req);
        return this.opts.accounts.find((a) => a.token === token);
    }

    /** The app, when the token's account owns it; UNAUTHORIZED_ERROR otherwise, as Expo names an entity the viewer may not read. */
    private app(req: EmulatorRequest, appId: string, action: "READ" | "UPDATE") {
        const account = this.account(req);
        if (!account || !(appId in account.apps)) throw expoError(`Entity not authorized: AppEntity[${appId}] (viewer = ${account ? "RobotViewerContext" : "AnonymousViewerContext"}, action = ${action}, ruleIndex = -1)`, "UNAUTHORIZED_ERROR");
        return { id: appId, fullName: account.apps[appId] };
    }

    private shown(v: ExpoVariableRecord, withValue: boolean) {
        return { ...v, scope: "PROJECT", type: "STRING", isGlobal: false, value: () => (withValue && v.visibility === "PUBLIC" ? v.value : null) };
    }

    private taken(app: string, name: string, environments: string[], self?: string): void {
        const clash = [...this.variables.values()].find((v) => v.app === app && v.name === name && v.id !== self && v.environments.some((e) => environments.includes(e)));
        if (clash) throw expoError(`Variable ${name} already exists on this project.`, "BAD_USER_INPUT");
    }

    private root(req: EmulatorRequest) {
        // The three default environments in either case, stored lower-case, as eas-cli sends and compares them (create.ts,
        // DefaultEnvironment); the server's rule is not public, and custom names are kept as written (an assumption).
        const environmentsOf = (list: unknown) => [...new Set(((list as string[] | null | undefined) ?? []).map((e) => (/^(development|preview|production)$/i.test(String(e)) ? String(e).toLowerCase() : String(e))))].sort();
        const own = (id: unknown, action: "READ" | "UPDATE") => {
            const v = this.variables.get(String(id));
            if (!v) throw expoError(`Environment variable ${String(id)} not found.`, "ENTITY_NOT_FOUND");
            this.app(req, v.app, action);
            return v;
        };
        return {
            meActor: () => {
                const account = this.account(req);
                return account ? { __typename: "Robot", id: `robot-${account.name}`, firstName: `${account.name} CI`, accounts: [{ id: `account-${account.name}`, name: account.name }] } : null;
            },
            app: () => ({
                byId: ({ appId }: { appId: string }) => {
                    const app = this.app(req, appId, "READ");
                    return {
                        ...app,
                        environmentVariables: ({ filterNames, environment }: { filterNames?: string[]; environment?: string }) =>
                            [...this.variables.values()]
                                .filter((v) => v.app === appId && (!filterNames || filterNames.includes(v.name)) && (!environment || v.environments.includes(environment.toLowerCase())))
                                .map((v) => this.shown(v, true)),
                    };
                },
            }),
            environmentVariable: () => ({
                createEnvironmentVariableForApp: ({ appId, environmentVariableData: d }: { appId: string; environmentVariableData: Record<string, unknown> }) => {
                    this.app(req, appId, "UPDATE");
                    const environments = environmentsOf(d.environments);
                    this.taken(appId, String(d.name), environments);
                    const now = new Date().toISOString();
                    const v: ExpoVariableRecord = { id: randomUUID(), app: appId, name: String(d.name), value: String(d.value), visibility: d.visibility as ExpoVariableRecord["visibility"], environments, createdAt: now, updatedAt: now };
                    this.variables.set(v.id, v);
                    return this.shown(v, true);
                },
                updateEnvironmentVariable: ({ environmentVariableData: d }: { environmentVariableData: Record<string, unknown> }) => {
                    const v = own(d.id, "UPDATE");
                    const environments = d.environments === undefined || d.environments === null ? v.environments : environmentsOf(d.environments);
                    const name = typeof d.name === "string" ? d.name : v.name;
                    this.taken(v.app, name, environments, v.id);
                    Object.assign(v, { name, environments, updatedAt: new Date().toISOString() }, typeof d.value === "string" ? { value: d.value } : {}, typeof d.visibility === "string" ? { visibility: d.visibility } : {});
                    return this.shown(v, true);
                },
                deleteEnvironmentVariable: ({ id }: { id: string }) => {
                    const v = own(id, "UPDATE");
                    this.variables.delete(v.id);
                    return { id: v.id };
                },
            }),
        };
    }

    protected routes(): Route[] {
        return [
            {
                method: "POST",
                path: "/graphql",
                // Each operation its own route key: "POST /graphql CreateEnvironmentVariableForApp".
                operationOf: (req) => {
                    try {
                        const body = req.json<{ query?: string; operationName?: string }>();
                        const op = getOperationAST(parse(body?.query ?? ""), body?.operationName);
                        return op ? { name: op.name?.value ?? op.operation, reads: op.operation === "query" } : undefined;
                    } catch {
                        return undefined;
                    }
                },
                handle: async (req) => {
                    const body = req.json<{ query?: string; operationName?: string; variables?: Record<string, unknown> }>() ?? {};
                    if (typeof body.query !== "string") return { status: 400, body: { errors: [{ message: "Must provide query string." }] } };
                    const result = await graphql({ schema: SCHEMA, source: body.query, rootValue: this.root(req), variableValues: body.variables, operationName: body.operationName });
                    // A document the schema refuses never runs: 400, as GraphQL servers answer validation errors.
                    const invalid = result.data === undefined && (result.errors?.length ?? 0) > 0;
                    return { status: invalid ? 400 : 200, body: { ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, ...(e.extensions && Object.keys(e.extensions).length > 0 ? { extensions: e.extensions } : { extensions: { errorCode: "GRAPHQL_VALIDATION_FAILED", errorType: "USER" } }) })) } : {}), data: result.data ?? null } };
                },
            },
        ];
    }
}
