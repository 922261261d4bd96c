/** GitLab: where mirrors, hooks and CI variables live (a self-managed instance, or gitlab.com). */
import { z } from "zod";
import { httpUrl } from "../../dynamic-providers/core/validation";
import { gitlabToken } from "../../dynamic-providers/gitlab/client";
import { defineService } from "../service";

const section = z.object({ baseUrl: httpUrl().optional() }).strict();

/** Whether any repository of the settings mirrors to GitLab. */
function mirrorsToGitlab(settings: Record<string, unknown>): boolean {
    const repositories = (settings.github as { repositories?: Record<string, { gitlabMirror?: unknown }> } | undefined)?.repositories ?? {};
    return Object.values(repositories).some((r) => r.gitlabMirror !== undefined);
}

export const gitlabService = defineService({
    key: "gitlab",
    section,
    secrets: [{ credential: gitlabToken, neededBy: mirrorsToGitlab }],
    plan: (s) => s,
});
