/**
 * The stack's Agora project: its App ID and primary certificate are the values of keyConsumers'
 * `agora.appId` and `agora.appCertificate`, made by the stack instead of copied from the console.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgoraProject, type AgoraProjectArgs } from "../../dynamic-providers/agora/project";
import { adoptable, transformed, UNPROTECTED, type Adoptable, type DataPolicy, type Transform } from "../component";

export const AGORA_PROJECT_TYPE = "stackwire:agora:Project";

export interface AgoraPlatformArgs extends Adoptable {
    /** Another API (the sandbox's emulator). @default https://api.agora.io */
    baseUrl?: string;
    /** The project's name, unique in the account. */
    name: string;
    /** Make the primary App Certificate, which token servers sign with. @default true */
    certificate?: boolean;
    /** Protects the project. @default nothing protected */
    policy?: DataPolicy;
    transform?: { project?: Transform<AgoraProjectArgs> };
}

export class AgoraPlatform extends pulumi.ComponentResource {
    public readonly projectId: pulumi.Output<string>;
    public readonly appId: pulumi.Output<string>;
    /** The primary App Certificate ("" when turned off); secret. */
    public readonly appCertificate: pulumi.Output<string>;

    constructor(name: string, args: AgoraPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(AGORA_PROJECT_TYPE, name, {}, opts);
        const [{ adopt }, adoption] = adoptable({ adopt: args.adopt, deleteAdopted: args.deleteAdopted });
        const projectArgs: AgoraProjectArgs = { ...(args.baseUrl ? { baseUrl: args.baseUrl } : {}), name: args.name, certificate: args.certificate ?? true, ...(adopt ? { adopt } : {}) };
        const project = new AgoraProject(...transformed(args.transform?.project, `${name}-project`, projectArgs, { parent: this, protect: (args.policy ?? UNPROTECTED).protect, ...adoption }));
        this.projectId = project.id;
        this.appId = project.appId;
        this.appCertificate = pulumi.secret(project.appCertificate);
        this.registerOutputs({ projectId: this.projectId, appId: this.appId, appCertificate: this.appCertificate });
    }
}
