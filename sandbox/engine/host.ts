/**
 * Drives the real dynamic-provider host from @pulumi/pulumi over gRPC, as `pulumi up` does:
 * the host is started as a child process, prints its port, and is called with Configure,
 * Check, Diff, Create, Read, Update and Delete carrying the serialized provider in
 * `__provider`. Runs on compiled JavaScript under plain Node, never under vitest.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type * as pulumi from "@pulumi/pulumi";
import { recordGraph, type Registered } from "../../test/unit/mock-graph";

// Generated gRPC code shipped inside @pulumi/pulumi; it has no typings worth importing.
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");

/** The engine's marker for a secret value on the wire. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function wireSecret(value: unknown): Record<string, unknown> {
    return { [SECRET_SIG]: SECRET_VALUE, value };
}

export type DiffKind = "none" | "some" | "unknown";

export interface DiffResult {
    changes: DiffKind;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

type Props = Record<string, unknown>;

interface AddressedRequest {
    setId(id: string): void;
    setUrn(urn: string): void;
    setProperties(properties: Struct): void;
}

interface ComparingRequest {
    setId(id: string): void;
    setUrn(urn: string): void;
    setOlds(olds: Struct): void;
    setNews(news: Struct): void;
}

/** Diff and Update compare the object's state with new inputs. */
function comparing<R extends ComparingRequest>(req: R, id: string, urn: string, olds: Props, news: Props): R {
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(Struct.fromJavaScript(olds as never));
    req.setNews(Struct.fromJavaScript(news as never));
    return req;
}

/** Read and Delete name the object by id and URN and carry its state. */
function addressed<R extends AddressedRequest>(req: R, id: string, urn: string, properties: Props): R {
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(Struct.fromJavaScript(properties as never));
    return req;
}

export class DynamicProviderHost {
    private stderrText = "";
    private stdoutText = "";

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: grpc.Client & Record<string, (req: unknown, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void>,
    ) {
        child.stderr?.on("data", (d) => (this.stderrText += String(d)));
        child.stdout?.on("data", (d) => (this.stdoutText += String(d)));
    }

    /** The host's process id, for benchmarks that read its CPU time. */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** What the host printed; tests check that no credential reached the logs. */
    get output(): string {
        return this.stdoutText + this.stderrText;
    }

    static async start(env: NodeJS.ProcessEnv = {}): Promise<DynamicProviderHost> {
        const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
        // The host needs one argument, the engine address; it never dials it for these calls.
        const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
            cwd: path.resolve(__dirname, "../../.."),
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const port = await new Promise<number>((resolve, reject) => {
            let text = "";
            const timer = setTimeout(() => reject(new Error(`host printed no port: ${text}`)), 20_000);
            child.stdout!.on("data", (d) => {
                text += String(d);
                const match = /^(\d+)\s*$/m.exec(text);
                if (match) {
                    clearTimeout(timer);
                    resolve(Number(match[1]));
                }
            });
            child.on("exit", (code) => reject(new Error(`host exited with ${code}`)));
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new DynamicProviderHost(child, client);
    }

    private rpc<T>(method: string, request: unknown): Promise<T> {
        return new Promise((resolve, reject) => this.client[method](request, (err, res) => (err ? reject(err) : resolve(res as T))));
    }

    /** Stack config as the engine sends it: `project:key` values, secrets wrapped. */
    async configure(config: Props): Promise<{ acceptSecrets: boolean }> {
        const req = new provproto.ConfigureRequest();
        req.setArgs(Struct.fromJavaScript(config as never));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        const res = await this.rpc<{ getAcceptsecrets(): boolean }>("configure", req);
        return { acceptSecrets: res.getAcceptsecrets() };
    }

    async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds as never));
        req.setNews(Struct.fromJavaScript(news as never));
        const res = await this.rpc<{ getInputs(): Struct; getFailuresList(): { getProperty(): string; getReason(): string }[] }>("check", req);
        return {
            inputs: res.getInputs().toJavaScript() as Props,
            failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffResult> {
        const req = comparing(new provproto.DiffRequest(), id, urn, olds, news);
        const res = await this.rpc<{ getChanges(): number; getReplacesList(): string[]; getDeletebeforereplace(): boolean }>("diff", req);
        const kinds: Record<number, DiffKind> = {
            [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
            [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
            [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
        };
        return { changes: kinds[res.getChanges()], replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = new provproto.CreateRequest();
        req.setUrn(urn);
        req.setProperties(Struct.fromJavaScript(properties as never));
        const res = await this.rpc<{ getId(): string; getProperties(): Struct }>("create", req);
        return { id: res.getId(), properties: res.getProperties().toJavaScript() as Props };
    }

    async read(id: string, urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = addressed(new provproto.ReadRequest(), id, urn, properties);
        const res = await this.rpc<{ getId(): string; getProperties(): Struct | undefined }>("read", req);
        return { id: res.getId(), properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
    }

    async update(id: string, urn: string, olds: Props, news: Props): Promise<Props> {
        const req = comparing(new provproto.UpdateRequest(), id, urn, olds, news);
        const res = await this.rpc<{ getProperties(): Struct }>("update", req);
        return res.getProperties().toJavaScript() as Props;
    }

    async delete(id: string, urn: string, properties: Props): Promise<void> {
        const req = addressed(new provproto.DeleteRequest(), id, urn, properties);
        await this.rpc("delete", req);
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill();
            await exited;
        }
    }
}

/**
 * The provider text exactly as `pulumi up` would store it: the resource is constructed in a
 * program under mocks, and its registration is captured as the engine receives it (inputs with
 * `__provider`, and options such as additionalSecretOutputs).
 */
export async function serializedProviderOf(construct: () => pulumi.CustomResource, stack = "dev"): Promise<{ provider: string; urn: string; registered: Registered }> {
    const graph = recordGraph("stackwire", stack);
    const resource = construct();
    await new Promise<void>((resolve) => resource.id.apply(() => resolve()));
    const registered = graph.resources.find((r) => typeof r.inputs.__provider === "string");
    if (!registered) throw new Error("the resource registered no __provider");
    return { provider: registered.inputs.__provider as string, urn: `urn:pulumi:${stack}::stackwire::${registered.type}::${registered.name}`, registered };
}
