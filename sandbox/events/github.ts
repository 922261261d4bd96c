/**
 * GitHub's webhook deliveries, as a repository webhook sends them, for the sandbox and the tests
 * (the stack's GitHub side is @pulumi/github; the GitHub emulator, emulators/github.ts, answers only
 * the listings `npm run adopt` and `keys check` read).
 *
 * Headers, from docs.github.com "Webhook events and payloads" (github/docs
 * content/webhooks/webhook-events-and-payloads.md, "Delivery headers") and "Validating webhook
 * deliveries": X-GitHub-Hook-ID, X-GitHub-Event, X-GitHub-Delivery (a GUID),
 * X-GitHub-Hook-Installation-Target-Type / -ID, X-Hub-Signature (`sha1=` HMAC-SHA1 hex, kept
 * for compatibility), X-Hub-Signature-256 (`sha256=` HMAC-SHA256 hex of the body, keyed with
 * the webhook secret), User-Agent `GitHub-Hookshot/<id>`, Content-Type application/json (the
 * webhook's content_type "json"). A redelivery from the webhook's "Recent deliveries" carries
 * the same X-GitHub-Delivery and body.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { postEvent, type Delivery } from "./deliver";

export interface GithubDelivery extends Delivery {
    event: string;
    deliveryId: string;
}

/** Only signatures from an actual secret: GitHub leaves both signature headers out when the hook has none. */
export function githubSignatures(secret: string, payload: string): Record<string, string> {
    if (!secret) return {};
    return {
        "X-Hub-Signature": `sha1=${createHmac("sha1", secret).update(payload).digest("hex")}`,
        "X-Hub-Signature-256": `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`,
    };
}

export interface GithubHookOptions {
    /** The webhook's id (X-GitHub-Hook-ID). @default 460000001 */
    hookId?: number;
    /** The repository's id, the installation target of a repository webhook. @default the payload's repository.id */
    repositoryId?: number;
}

/** POSTs one event as GitHub does; pass the `deliveryId` of an earlier delivery to redeliver it. */
export async function deliverGithubEvent(url: string, secret: string, event: string, payload: object, deliveryId: string = randomUUID(), options: GithubHookOptions = {}): Promise<GithubDelivery> {
    const body = JSON.stringify(payload);
    const hookId = options.hookId ?? 460000001;
    const repositoryId = options.repositoryId ?? (payload as { repository?: { id?: number } }).repository?.id;
    const headers: Record<string, string> = {
        Accept: "*/*",
        "Content-Type": "application/json",
        "User-Agent": `GitHub-Hookshot/${randomBytes(4).toString("hex").slice(0, 7)}`,
        "X-GitHub-Delivery": deliveryId,
        "X-GitHub-Event": event,
        "X-GitHub-Hook-ID": String(hookId),
        ...(repositoryId !== undefined ? { "X-GitHub-Hook-Installation-Target-ID": String(repositoryId), "X-GitHub-Hook-Installation-Target-Type": "repository" } : {}),
        ...githubSignatures(secret, body),
    };
    return { ...(await postEvent(url, headers, body)), event, deliveryId };
}

const HOST = "https://github.com";
const API = "https://api.github.com";

/** A user or organisation as payloads show it (the `simple-user` schema's main fields). */
function account(login: string, id: number) {
    return { login, id, node_id: `MDQ6VXNlcj${id}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`, url: `${API}/users/${login}`, html_url: `${HOST}/${login}`, type: "User", site_admin: false };
}

/** Stable small ids from a name, so one repository reads the same in every payload. */
function idOf(text: string): number {
    let hash = 7;
    for (const c of text) hash = (hash * 31 + c.charCodeAt(0)) % 900_000_000;
    return 100_000_000 + hash;
}

/** The `repository` object of webhook payloads ("repository" in Webhook events and payloads). */
export function repositoryOf(fullName: string, defaultBranch = "main") {
    const [owner, name] = fullName.split("/");
    const id = idOf(fullName);
    return {
        id,
        node_id: `R_kgDO${id}`,
        name,
        full_name: fullName,
        private: true,
        owner: account(owner, idOf(owner)),
        html_url: `${HOST}/${fullName}`,
        description: null,
        fork: false,
        url: `${API}/repos/${fullName}`,
        clone_url: `${HOST}/${fullName}.git`,
        ssh_url: `git@github.com:${fullName}.git`,
        default_branch: defaultBranch,
        visibility: "private",
        created_at: "2026-01-02T03:04:05Z",
        updated_at: "2026-01-02T03:04:05Z",
        pushed_at: "2026-01-02T03:04:05Z",
    };
}

export interface PushOptions {
    repository: string;
    /** @default "refs/heads/main" */
    ref?: string;
    /** Commit messages, oldest first. @default one commit */
    commits?: string[];
    /** @default "octocat" */
    pusher?: string;
    /** The SHA before the push. @default 40 zeros (a new branch) */
    before?: string;
}

const sha = () => randomBytes(20).toString("hex");

/** A `push` event: ref, before, after, commits, head_commit, pusher, sender, repository (the "push" section). */
export function pushPayload(options: PushOptions) {
    const ref = options.ref ?? "refs/heads/main";
    const pusher = options.pusher ?? "octocat";
    const repository = repositoryOf(options.repository);
    const now = new Date().toISOString();
    const commits = (options.commits ?? ["Update README"]).map((message) => {
        const id = sha();
        return {
            id,
            tree_id: sha(),
            distinct: true,
            message,
            timestamp: now,
            url: `${repository.html_url}/commit/${id}`,
            author: { name: pusher, email: `${pusher}@users.noreply.github.com`, username: pusher },
            committer: { name: pusher, email: `${pusher}@users.noreply.github.com`, username: pusher },
            added: [],
            removed: [],
            modified: ["README.md"],
        };
    });
    const before = options.before ?? "0".repeat(40);
    const after = commits.at(-1)?.id ?? "0".repeat(40);
    return {
        ref,
        before,
        after,
        repository: { ...repository, pushed_at: Math.floor(Date.now() / 1000) },
        pusher: { name: pusher, email: `${pusher}@users.noreply.github.com` },
        sender: account(pusher, idOf(pusher)),
        created: /^0+$/.test(before),
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${repository.html_url}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
        commits,
        head_commit: commits.at(-1) ?? null,
    };
}

export interface IssueOptions {
    repository: string;
    number: number;
    title: string;
    body?: string;
    /** @default "octocat" */
    sender?: string;
}

/** An `issues` event for `opened`, `closed` or `reopened`: the issue's state follows the action. */
export function issuesPayload(action: "opened" | "closed" | "reopened", options: IssueOptions) {
    const repository = repositoryOf(options.repository);
    const sender = options.sender ?? "octocat";
    const now = new Date().toISOString();
    const closed = action === "closed";
    const id = idOf(`${options.repository}#${options.number}`);
    return {
        action,
        issue: {
            id,
            node_id: `I_kwDO${id}`,
            number: options.number,
            title: options.title,
            body: options.body ?? null,
            state: closed ? "closed" : "open",
            state_reason: closed ? "completed" : action === "reopened" ? "reopened" : null,
            locked: false,
            user: account(sender, idOf(sender)),
            labels: [],
            assignees: [],
            comments: 0,
            url: `${API}/repos/${options.repository}/issues/${options.number}`,
            html_url: `${repository.html_url}/issues/${options.number}`,
            repository_url: `${API}/repos/${options.repository}`,
            created_at: now,
            updated_at: now,
            closed_at: closed ? now : null,
            author_association: "OWNER",
        },
        repository,
        sender: account(sender, idOf(sender)),
    };
}
