/**
 * `npm run graph -- [--stack dev | --blueprint saas | --config file.yaml] [--out dir] [--format svg,png,mermaid,dot]`:
 * a stack's platforms, components and wires as a picture, written to `<out>/<name>.<ext>`.
 * With `--format mermaid` alone the Mermaid text is also printed, for pasting into Markdown.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BLUEPRINT_NAMES, blueprintSettings, isBlueprint, stackFileSettings, StackFileError } from "../stacks/blueprints";
import { GraphInputError, stackGraph, type StackGraph } from "../stacks/graph";
import { flagsOrUsage, runMain, STACK_NAME, UsageError, type CliIo } from "./args";
import { EXTENSIONS, FORMATS, NoFontError, toDot, toMermaid, toPng, toSvg, type DotRenderer, type Format } from "./graph-render";

export const GRAPH_USAGE = `Usage: npm run graph -- (--stack <name> | --blueprint <name> | --config <file>) [--out <dir>] [--format <list>] [--width <px>]

  --stack <name>      the stack file Pulumi.<name>.yaml in the project folder
  --blueprint <name>  a blueprint: ${BLUEPRINT_NAMES.join(", ")}
  --config <file>     any Pulumi stack file
  --out <dir>         where the pictures go (default: graph)
  --format <list>     comma-separated, of ${FORMATS.join(", ")} (default: all)
  --width <px>        the PNG's largest width (default: 1600; a small graph is drawn at twice its size)`;

interface Source {
    name: string;
    /** What the error messages call it. */
    label: string;
    settings(): Record<string, unknown>;
}

function sourceOf(flags: { stack?: string; blueprint?: string; config?: string }, cwd: string): Source {
    const given = (["stack", "blueprint", "config"] as const).filter((f) => flags[f] !== undefined);
    if (given.length === 0) throw new UsageError("give one of --stack <name>, --blueprint <name> or --config <file>");
    if (given.length > 1) throw new UsageError(`${given.map((f) => `--${f}`).join(" and ")}: give only one`);
    const fromFile = (file: string, name: string, label: string): Source => ({ name, label, settings: () => stackFileSettings(readFileSync(file, "utf8"), label) });

    if (flags.stack !== undefined) {
        if (!STACK_NAME.test(flags.stack)) throw new UsageError(`--stack: "${flags.stack}" is not a stack name (letters, digits, - _ . only)`);
        const file = path.resolve(cwd, `Pulumi.${flags.stack}.yaml`);
        if (!existsSync(file)) throw new UsageError(`--stack ${flags.stack}: there is no ${path.basename(file)} in ${cwd} (create one with npm run new -- --blueprint <name> --stack ${flags.stack})`);
        return fromFile(file, flags.stack, path.basename(file));
    }
    if (flags.blueprint !== undefined) {
        const blueprint = flags.blueprint;
        if (!isBlueprint(blueprint)) throw new UsageError(`--blueprint: there is no blueprint "${blueprint}" (known: ${BLUEPRINT_NAMES.join(", ")})`);
        return { name: blueprint, label: `blueprint ${blueprint}`, settings: () => blueprintSettings(blueprint) };
    }
    const file = path.resolve(cwd, flags.config!);
    if (!existsSync(file)) throw new UsageError(`--config: there is no file ${flags.config}`);
    const name = path.basename(file).replace(/\.ya?ml$/i, "").replace(/^Pulumi\./, "");
    return fromFile(file, name, flags.config!);
}

export function formatsOf(list: string): Format[] {
    const formats = list.split(",").map((f) => f.trim().toLowerCase()).filter(Boolean);
    if (formats.length === 0) throw new UsageError(`--format: give at least one of ${FORMATS.join(", ")}`);
    for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format: "${f}" is not a format (known: ${FORMATS.join(", ")})`);
    return [...new Set(formats)] as Format[];
}

export interface GraphResult {
    graph: StackGraph;
    /** The files written, by format. */
    files: Partial<Record<Format, string>>;
}

/** Draws the graph and writes the pictures; `renderer` lets tests share one Graphviz instance. */
export async function graphCommand(argv: string[], io: CliIo, renderer?: DotRenderer): Promise<GraphResult> {
    const { values: flags } = flagsOrUsage(() =>
        parseArgs({
            args: argv,
            strict: true,
            options: {
                stack: { type: "string" },
                blueprint: { type: "string" },
                config: { type: "string" },
                out: { type: "string", default: "graph" },
                format: { type: "string", default: FORMATS.join(",") },
                width: { type: "string", default: "1600" },
            },
        }),
    );
    const source = sourceOf(flags, io.cwd);
    const formats = formatsOf(flags.format);
    const width = Number(flags.width);
    if (!Number.isInteger(width) || width < 100 || width > 10_000) throw new UsageError(`--width: must be a whole number of pixels from 100 to 10000 (received "${flags.width}")`);

    let graph: StackGraph;
    try {
        graph = stackGraph(source.name, source.settings());
    } catch (err) {
        if (err instanceof GraphInputError) throw new GraphInputError(`${source.label}: ${err.message}`);
        throw err;
    }

    const outDir = path.resolve(io.cwd, flags.out);
    mkdirSync(outDir, { recursive: true });
    const files: GraphResult["files"] = {};
    const write = (format: Format, content: string | Buffer) => {
        const file = path.join(outDir, `${source.name}.${EXTENSIONS[format]}`);
        writeFileSync(file, content);
        files[format] = file;
        const shown = path.relative(io.cwd, file);
        io.err(`wrote ${shown.startsWith("..") ? file : shown}`);
    };
    const mermaid = toMermaid(graph);
    if (formats.includes("mermaid")) write("mermaid", mermaid);
    if (formats.includes("dot")) write("dot", toDot(graph));
    if (formats.includes("svg") || formats.includes("png")) {
        const svg = await toSvg(graph, renderer);
        if (formats.includes("svg")) write("svg", svg);
        if (formats.includes("png")) write("png", toPng(svg, width));
    }
    if (formats.length === 1 && formats[0] === "mermaid") io.out(mermaid.trimEnd());
    return { graph, files };
}

if (require.main === module) runMain(graphCommand, GRAPH_USAGE, (err) => err instanceof GraphInputError || err instanceof StackFileError || err instanceof NoFontError);
