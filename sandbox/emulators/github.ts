/**
 * GitHub's REST API, the part `npm run adopt` reads: the repositories an owner holds. GitHub's
 * resources themselves go through the official provider plugin, which the sandbox cannot run.
 *
 * Routes follow GitHub's REST reference (docs.github.com/rest/repos/repos):
 * - "List organization repositories", GET /orgs/{org}/repos: type (all, public, private, forks,
 *   sources, member; default all), sort (created, updated, pushed, full_name; default created),
 *   direction (asc with full_name, else desc), per_page (default 30, max 100), page; 404
 *   {"message": "Not Found"} for an organization that does not exist.
 * - "List repositories for the authenticated user", GET /user/repos: affiliation (owner,
 *   collaborator, organization_member; default all three), visibility (all, public, private),
 *   the same sort, direction and paging.
 * Pages are linked by the Link header (rel="next", rel="last"), as "Using pagination in the REST
 * API" describes. A token GitHub does not know is 401 {"message": "Bad credentials"}.
 */
import { randomInt } from "node:crypto";
import { ApiFailure, Emulator, type EmulatorRequest, type EmulatorResponse, type Route } from "./frame";

export interface GithubRepositorySeed {
    owner: string;
    name: string;
    description?: string | null;
    visibility?: "public" | "private" | "internal";
    topics?: string[];
    defaultBranch?: string;
    archived?: boolean;
}

export interface GithubEmulatorOptions {
    token: string;
    /** The token's user. */
    login: string;
    /** Organizations that exist (the token's user belongs to each). */
    organizations?: string[];
    /** The token's scopes. @default repo, workflow */
    scopes?: string[];
}

type Repository = Record<string, unknown> & { name: string; owner: { login: string; type: string }; created_at: string };

const failure = (status: number, message: string) => new ApiFailure({ status, body: { message, documentation_url: "https://docs.github.com/rest", status: String(status) } });

export class GithubEmulator extends Emulator {
    readonly repositories: Repository[] = [];

    constructor(private readonly opts: GithubEmulatorOptions) {
        super({ name: "github", requestIdHeader: "x-github-request-id", errorBody: (status, message) => ({ message, documentation_url: "https://docs.github.com/rest", status: String(status) }) });
    }

    /** A repository made by hand (the emulator has no create route: the provider plugin makes them). */
    addRepository(seed: GithubRepositorySeed): Repository {
        const isOrg = (this.opts.organizations ?? []).includes(seed.owner);
        const visibility = seed.visibility ?? "private";
        const repository: Repository = {
            id: randomInt(1, 2 ** 31),
            name: seed.name,
            full_name: `${seed.owner}/${seed.name}`,
            owner: { login: seed.owner, type: isOrg ? "Organization" : "User" },
            private: visibility !== "public",
            visibility,
            description: seed.description ?? null,
            topics: seed.topics ?? [],
            default_branch: seed.defaultBranch ?? "main",
            archived: seed.archived ?? false,
            fork: false,
            html_url: `https://github.com/${seed.owner}/${seed.name}`,
            created_at: new Date(Date.now() + this.repositories.length).toISOString(),
        };
        this.repositories.push(repository);
        return repository;
    }

    override reset(): void {
        super.reset();
        this.repositories.length = 0;
    }

    protected override authenticate(req: EmulatorRequest): EmulatorResponse | undefined {
        const header = req.headers.authorization ?? "";
        const token = /^(?:Bearer|token) (.+)$/i.exec(header)?.[1];
        if (token !== this.opts.token) return { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" } };
        return undefined;
    }

    /** One page of a list, with the Link header GitHub sends. */
    private page(req: EmulatorRequest, all: Repository[]): EmulatorResponse {
        const perPage = Math.min(Number(req.query.get("per_page") ?? 30) || 30, 100);
        const page = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
        const sort = req.query.get("sort") ?? "created";
        if (!["created", "updated", "pushed", "full_name"].includes(sort)) throw failure(422, "Validation Failed");
        const direction = req.query.get("direction") ?? (sort === "full_name" ? "asc" : "desc");
        const sorted = [...all].sort((a, b) => (sort === "full_name" ? String(a.full_name).localeCompare(String(b.full_name)) : a.created_at.localeCompare(b.created_at)) * (direction === "asc" ? 1 : -1));
        const last = Math.max(1, Math.ceil(sorted.length / perPage));
        const link = (n: number) => {
            const q = new URLSearchParams(req.query);
            q.set("page", String(n));
            q.set("per_page", String(perPage));
            return `<${this.url}${req.path}?${q}>`;
        };
        const links = page < last ? [`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`] : [];
        return { status: 200, body: sorted.slice((page - 1) * perPage, page * perPage), ...(links.length > 0 ? { headers: { link: links.join(", ") } } : {}) };
    }

    protected routes(): Route[] {
        return [
            // "Get the authenticated user" (GET /user); a classic token's scopes come in the X-OAuth-Scopes header.
            { method: "GET", path: "/user", handle: () => ({ status: 200, body: { login: this.opts.login, id: 1, type: "User" }, headers: { "x-oauth-scopes": (this.opts.scopes ?? ["repo", "workflow"]).join(", ") } }) },
            {
                method: "GET",
                path: "/orgs/:org/repos",
                handle: (req) => {
                    const org = req.params.org.toLowerCase();
                    if (!(this.opts.organizations ?? []).some((o) => o.toLowerCase() === org)) throw failure(404, "Not Found");
                    const type = req.query.get("type") ?? "all";
                    const held = this.repositories.filter((r) => r.owner.login.toLowerCase() === org);
                    const byType = held.filter((r) => type === "all" || type === "member" || type === "sources" || (type === "public" ? r.visibility === "public" : type === "private" ? r.private === true : type === "forks" ? r.fork === true : true));
                    return this.page(req, byType);
                },
            },
            {
                method: "GET",
                path: "/user/repos",
                handle: (req) => {
                    const affiliation = (req.query.get("affiliation") ?? "owner,collaborator,organization_member").split(",");
                    const visibility = req.query.get("visibility") ?? "all";
                    const mine = this.repositories.filter((r) => (affiliation.includes("owner") && r.owner.login === this.opts.login) || (affiliation.includes("organization_member") && r.owner.type === "Organization"));
                    return this.page(req, mine.filter((r) => visibility === "all" || (visibility === "public") === (r.visibility === "public")));
                },
            },
        ];
    }
}
