/**
 * Resend domain. Outputs the DNS records to publish and the verification status (a domain
 * verified out of band shows on refresh). Name and region replace the domain.
 *
 * Not found means gone only when the stack's key is of the team that made it (see `ResendTeam`:
 * the team's key ids, recorded at create); another team's key fails naming resendApiKey.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDefinition } from "../core/provider";
import { DynamicResource, type ResourceArgs } from "../core/resource";
import { createdRecently, createOnce } from "../core/ownership";
import { getOrGone, inPath, isAlreadyThere, listAll, removeOrGone, resend, teamKeyIds, teamOf, theTeam, type ResendTeam } from "./client";
import { domainInputSchema, type DomainInputs } from "./schema";

export interface DnsRecord {
    record: string;
    name: string;
    type: string;
    value: string;
    ttl: string;
    priority?: number;
}
export interface DomainState extends DomainInputs, ResendTeam {
    status: string;
    records: DnsRecord[];
}
interface ApiDomain {
    id: string;
    name: string;
    created_at?: string;
    region: DomainInputs["region"];
    status: string;
    records: (DnsRecord & { status?: string })[];
}
const records = (d: ApiDomain): DnsRecord[] => d.records.map(({ record, name, type, value, ttl, priority }) => ({ record, name, type, value, ttl, ...(priority !== undefined ? { priority } : {}) }));

export const domainDefinition: ResourceDefinition<ReturnType<typeof domainInputSchema>, DomainState> = {
    module: "resend",
    type: "Domain",
    service: "resend",
    outputs: ["status", "records"],
    schema: domainInputSchema,
    replaceOnChanges: ["baseUrl", "name", "region"],
    deleteBeforeReplace: true,
    async create(ctx, i) {
        const operation = `add domain ${i.name}`;
        // The team it will belong to, read before the write so a failure here leaves nothing behind.
        const team = await teamKeyIds(ctx, i.baseUrl);
        const d = await createOnce(ctx, operation, {
            // Resend refuses a second domain of the same name: look only when our send may have landed.
            lookFirst: false,
            create: (call) => resend(ctx, i.baseUrl, operation, call).post<ApiDomain>("/domains", { name: i.name, region: i.region }),
            isConflict: isAlreadyThere,
            // Domains carry no mark: ours is the one of this name and region registered within the window.
            findLanded: async () => {
                const api = resend(ctx, i.baseUrl, `look for domain ${i.name}`);
                const landed = (await listAll<ApiDomain>(api, "/domains")).find((d) => d.name === i.name && d.region === i.region && createdRecently(ctx, d.created_at));
                return landed && api.get<ApiDomain>(`/domains/${inPath(landed.id)}`);
            },
            notOurs: (_err, call) =>
                ctx.error(call, { status: 409, apiMessage: `domain ${i.name} is already in this Resend account and was not added by this stack just now: remove it there, or manage it from the stack that added it` }),
        });
        return { id: d.id, outs: { ...i, status: d.status, records: records(d), teamKeyIds: team } };
    },
    async read(ctx, id, state) {
        const d = await getOrGone<ApiDomain>(ctx, state.baseUrl, `domain ${id}`, `/domains/${inPath(id)}`, id, () => theTeam(ctx, state.baseUrl, state));
        return d && { ...state, status: d.status, records: records(d) };
    },
    async update(_ctx, _id, olds, news) {
        return { ...news, status: olds.status, records: olds.records, ...teamOf(olds) };
    },
    async delete(ctx, id, state) {
        await removeOrGone(ctx, state.baseUrl, `domain ${id}`, `/domains/${inPath(id)}`, id, () => theTeam(ctx, state.baseUrl, state));
    },
};

export type ResendDomainArgs = ResourceArgs<ReturnType<typeof domainInputSchema>>;

export class ResendDomain extends DynamicResource<ReturnType<typeof domainInputSchema>, DomainState> {
    declare readonly status: pulumi.Output<string>;
    /** The DNS records to publish (SPF, DKIM, MX). */
    declare readonly records: pulumi.Output<DnsRecord[]>;
    constructor(name: string, args: ResendDomainArgs, opts?: pulumi.CustomResourceOptions) {
        super(domainDefinition, name, args, opts);
    }
}
