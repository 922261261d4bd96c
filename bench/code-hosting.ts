/**
 * Requests per object for GitLab (project, pull mirror, push mirror, hook, variable) and Trello
 * (board, list, label, webhook) for create, no-op up, refresh and destroy; and the time to
 * create 250 Trello objects at once under Trello's 100 requests per 10 seconds.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { dynamicProvider, type ResourceDefinition } from "../dynamic-providers/core/provider";
import { hookDefinition } from "../dynamic-providers/gitlab/hook";
import { pullMirrorDefinition, pushMirrorDefinition } from "../dynamic-providers/gitlab/mirrors";
import { projectDefinition } from "../dynamic-providers/gitlab/project";
import { variableDefinition } from "../dynamic-providers/gitlab/variable";
import { boardDefinition, labelDefinition, listDefinition } from "../dynamic-providers/trello/board";
import { trelloWebhookDefinition } from "../dynamic-providers/trello/webhook";
import { GitlabEmulator } from "../sandbox/emulators/gitlab";
import { VirtualClock } from "../sandbox/clock";
import { TrelloEmulator } from "../sandbox/emulators/trello";
import { measure, type Counted, type StepFigure } from "./figures";

type Def = ResourceDefinition<any, any>;

async function provider(def: Def, config: Record<string, string>, clock?: VirtualClock) {
    const p = dynamicProvider(def, clock ? { clock } : { sleep: async () => undefined });
    await p.configure!({ config: { get: (k: string) => config[k.replace("stackwire:", "")] } } as never);
    return p;
}

/** One object per kind, each through create, no-op, refresh and destroy. */
export async function lifecycle(emulator: Counted, kinds: { label: string; def: Def; inputs: () => Record<string, unknown> }[], config: Record<string, string>, clock?: VirtualClock): Promise<StepFigure[]> {
    const figures: StepFigure[] = [];
    const live: { p: Awaited<ReturnType<typeof provider>>; id: string; outs: Record<string, unknown>; inputs: Record<string, unknown> }[] = [];
    for (const kind of kinds) {
        const p = await provider(kind.def, config, clock);
        await measure(figures, emulator, `create ${kind.label}`, [0], async () => {
            const inputs = (await p.check!({}, kind.inputs())).inputs;
            const { id, outs } = await p.create(inputs);
            live.push({ p, id, outs, inputs });
        });
    }
    for (const [i, kind] of kinds.entries()) {
        const o = live[i];
        await measure(figures, emulator, `no-op up ${kind.label}`, [0], async () => {
            if ((await o.p.diff!(o.id, o.outs, o.inputs)).changes) throw new Error(`bench: ${kind.label} changed on a no-op up`);
        });
        await measure(figures, emulator, `refresh ${kind.label}`, [0], async () => void (await o.p.read!(o.id, o.outs)));
    }
    for (const [i, kind] of [...kinds.entries()].reverse()) {
        const o = live[i];
        await measure(figures, emulator, `destroy ${kind.label}`, [0], () => o.p.delete!(o.id, o.outs));
    }
    return figures;
}

export async function benchCodeHosting(): Promise<{ gitlab: StepFigure[]; trello: StepFigure[]; burst: { objects: number; requests: number; seconds: number; refused: number; floorSeconds: number } }> {
    const gitlabEmulator = new GitlabEmulator({ token: "glpat-bench" });
    // Trello's windows on a virtual clock shared by provider and emulator: seconds of Trello's
    // time in milliseconds of ours.
    const clock = new VirtualClock();
    const trelloEmulator = new TrelloEmulator({ key: "bench-key", token: "bench-token", clock });
    await Promise.all([gitlabEmulator.start(), trelloEmulator.start()]);
    const receiver = http.createServer((_req, res) => res.writeHead(200).end());
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const glConfig = { gitlabToken: "glpat-bench" };
    const project = await (await provider(projectDefinition, glConfig)).create((await (await provider(projectDefinition, glConfig)).check!({}, { baseUrl: gitlabEmulator.url, path: "bench", name: "Bench" })).inputs);
    const gl = { baseUrl: gitlabEmulator.url, projectId: project.id };
    const gitlab = await lifecycle(gitlabEmulator, [
        { label: "GitLab project", def: projectDefinition, inputs: () => ({ baseUrl: gitlabEmulator.url, path: "app", name: "App" }) },
        { label: "GitLab pull mirror", def: pullMirrorDefinition, inputs: () => ({ ...gl, importUrl: "https://u:t@github.com/acme/app.git" }) },
        { label: "GitLab push mirror", def: pushMirrorDefinition, inputs: () => ({ ...gl, url: "https://u:t@github.com/acme/app.git" }) },
        { label: "GitLab hook", def: hookDefinition, inputs: () => ({ ...gl, url: "https://ci.example/hook", token: "t0ken-abc", events: ["push"] }) },
        { label: "GitLab variable", def: variableDefinition, inputs: () => ({ ...gl, key: "API_KEY", value: "abcdefgh12345" }) },
    ], glConfig);

    const trConfig = { trelloApiKey: "bench-key", trelloToken: "bench-token" };
    const trBase = `${trelloEmulator.url}/1`;
    const board = await (await provider(boardDefinition, trConfig, clock)).create((await (await provider(boardDefinition, trConfig, clock)).check!({}, { baseUrl: trBase, name: "Bench" })).inputs);
    const trello = await lifecycle(trelloEmulator, [
        { label: "Trello board", def: boardDefinition, inputs: () => ({ baseUrl: trBase, name: "B" }) },
        { label: "Trello list", def: listDefinition, inputs: () => ({ baseUrl: trBase, boardId: board.id, name: "L", position: 16384 }) },
        { label: "Trello label", def: labelDefinition, inputs: () => ({ baseUrl: trBase, boardId: board.id, name: "bug", color: "red" }) },
        { label: "Trello webhook", def: trelloWebhookDefinition, inputs: () => ({ baseUrl: trBase, callbackUrl, modelId: board.id }) },
    ], trConfig, clock);

    // 250 objects at once, after a full 10-second window of quiet so the burst starts clean.
    await clock.sleep(10_500);
    trelloEmulator.reset();
    const labels = await provider(labelDefinition, trConfig, clock);
    const boards = await provider(boardDefinition, trConfig, clock);
    const freshBoard = await boards.create((await boards.check!({}, { baseUrl: trBase, name: "Burst" })).inputs);
    const inputs = await Promise.all(Array.from({ length: 250 }, (_, i) => labels.check!({}, { baseUrl: trBase, boardId: freshBoard.id, name: `label-${i}`, color: "green" }).then((r) => r.inputs)));
    const started = clock.now();
    const before = trelloEmulator.totalRequests();
    await Promise.all(inputs.map((i) => labels.create(i)));
    const seconds = (clock.now() - started) / 1000;
    const requests = trelloEmulator.totalRequests() - before;

    await new Promise<void>((r) => receiver.close(() => r()));
    await Promise.all([gitlabEmulator.stop(), trelloEmulator.stop()]);
    // Each label looks before it creates (a create the engine retries must find the first): two
    // requests each. The board's own request shares the first window; n requests need ceil(n/100) windows.
    const floorSeconds = (Math.ceil((requests + 1) / 100) - 1) * 10;
    return { gitlab, trello, burst: { objects: 250, requests, seconds, refused: trelloEmulator.rateLimited, floorSeconds } };
}
