/**
 * The environment comes from the stack name and carries its rules. One place decides what
 * prod protects, what preview stacks may destroy, and where live payment keys are allowed.
 */
import type { DataPolicy } from "../components/component";

export type EnvironmentKind = "dev" | "staging" | "prod" | "preview" | "local";

export interface Environment {
    kind: EnvironmentKind;
    project: string;
    stack: string;
    /** Pull-request number of a preview stack (`pr-123`). */
    pullRequest?: number;
    /** Stateful resources (buckets, databases) get `protect: true`: no accidental replace or delete. */
    protectStateful: boolean;
    /** Data stores are left in place when removed from the program or on `pulumi destroy`. */
    retainDataOnDelete: boolean;
    /** Everything may be torn down, data included (buckets are emptied on destroy). */
    fullyDestroyable: boolean;
    /** Live payment keys (sk_live_...) are accepted. */
    allowLiveKeys: boolean;
}

export const STACK_NAME_RULE = 'one of "dev", "staging", "prod", "local" or "pr-<number>" (or set stackwire:environment to one of dev, staging, prod, preview, local)';

const RULES: Record<EnvironmentKind, Omit<Environment, "kind" | "project" | "stack" | "pullRequest">> = {
    prod: { protectStateful: true, retainDataOnDelete: true, fullyDestroyable: false, allowLiveKeys: true },
    staging: { protectStateful: false, retainDataOnDelete: false, fullyDestroyable: false, allowLiveKeys: false },
    dev: { protectStateful: false, retainDataOnDelete: false, fullyDestroyable: false, allowLiveKeys: false },
    preview: { protectStateful: false, retainDataOnDelete: false, fullyDestroyable: true, allowLiveKeys: false },
    local: { protectStateful: false, retainDataOnDelete: false, fullyDestroyable: true, allowLiveKeys: false },
};

const KINDS = Object.keys(RULES) as EnvironmentKind[];

function isKind(value: string): value is EnvironmentKind {
    return (KINDS as string[]).includes(value);
}

export class EnvironmentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EnvironmentError";
    }
}

/**
 * Stack `dev` is dev, `pr-42` is a preview, and so on. A stack with another name states its
 * environment with the `environment` setting.
 */
export function environmentFor(project: string, stack: string, declared?: string): Environment {
    const preview = /^pr-(\d+)$/.exec(stack);
    let kind: EnvironmentKind;
    if (declared) {
        if (!isKind(declared)) throw new EnvironmentError(`environment: must be one of ${KINDS.join(", ")} (received "${declared}")`);
        kind = declared;
    } else if (preview) {
        kind = "preview";
    } else if (isKind(stack) && stack !== "preview") {
        kind = stack;
    } else {
        throw new EnvironmentError(`stack name "${stack}" does not say which environment it is: name it ${STACK_NAME_RULE}`);
    }
    return {
        kind,
        project,
        stack,
        ...(preview ? { pullRequest: Number(preview[1]) } : {}),
        ...RULES[kind],
    };
}

/** What components do with the data they hold, in this environment. */
export function dataPolicyOf(env: Environment): DataPolicy {
    return { protect: env.protectStateful, retainOnDelete: env.retainDataOnDelete, forceDestroy: env.fullyDestroyable };
}
