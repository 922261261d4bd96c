/**
 * The stack graph as pictures: Mermaid text (for Markdown), Graphviz DOT, SVG (Graphviz in
 * WebAssembly) and PNG (the SVG rasterised by resvg, with fonts loaded from files so the text
 * shows on machines without a font configuration).
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { instance } from "@viz-js/viz";
import { edgeLabel, PLATFORM_STYLES, type EdgeKind, type GraphNode, type StackGraph } from "../stacks/graph";

export const FORMATS = ["svg", "png", "mermaid", "dot"] as const;
export type Format = (typeof FORMATS)[number];
export const EXTENSIONS: Record<Format, string> = { svg: "svg", png: "png", mermaid: "mmd", dot: "dot" };

const LEGEND = "solid: wires · dashed: mirrors · dotted: platform keys";

// ---- Mermaid -------------------------------------------------------------------------------

/** Text inside a quoted Mermaid label: quotes and angle brackets as entity codes (placeholders such as <your-domain> stay visible). */
function mermaidText(text: string): string {
    return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function mermaidNode(node: GraphNode): string {
    const label = `<b>${mermaidText(node.title)}</b>${node.detail ? `<br/>${mermaidText(node.detail)}` : ""}`;
    return `${node.id}["${label}"]`;
}

const MERMAID_ARROWS: Record<EdgeKind, string> = { wire: "==>", mirror: "-.->", key: "-.->" };

/** `flowchart LR` with a subgraph per platform; every edge names nodes declared above it. */
export function toMermaid(graph: StackGraph): string {
    const lines = ["flowchart LR"];
    for (const cluster of graph.clusters) {
        lines.push(`    subgraph ${cluster.platform}["${mermaidText(PLATFORM_STYLES[cluster.platform].label)}"]`, "        direction TB");
        for (const node of cluster.nodes) lines.push(`        ${mermaidNode(node)}`);
        lines.push("    end");
    }
    for (const edge of graph.edges) lines.push(`    ${edge.from} ${MERMAID_ARROWS[edge.kind]}|"${mermaidText(edgeLabel(edge))}"| ${edge.to}`);
    for (const cluster of graph.clusters) {
        const { color, fill } = PLATFORM_STYLES[cluster.platform];
        lines.push(`    classDef ${cluster.platform}Node fill:#ffffff,stroke:${color},stroke-width:2px,color:#1f2328`);
        lines.push(`    class ${cluster.nodes.map((n) => n.id).join(",")} ${cluster.platform}Node`);
        lines.push(`    style ${cluster.platform} fill:${fill},stroke:${color},stroke-width:2px,color:${color}`);
    }
    return `${lines.join("\n")}\n`;
}

// ---- Graphviz DOT --------------------------------------------------------------------------

/** Text inside a Graphviz HTML-like label. */
function html(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const DOT_EDGE_STYLE: Record<EdgeKind, string> = { wire: "solid", mirror: "dashed", key: "dotted" };

/**
 * Left to right, a filled rounded cluster per platform in its colours, edges labelled one flow
 * per line in their source's colour. Bold and plain text never share a line, and nodes get wide
 * margins: Graphviz measures Helvetica, and a wider fallback font must still fit.
 */
export function toDot(graph: StackGraph): string {
    const platformOf = new Map(graph.clusters.flatMap((c) => c.nodes.map((n) => [n.id, c.platform] as const)));
    const lines = [
        "digraph stackwire {",
        `    graph [rankdir=LR, fontname="Helvetica", fontsize=20, labelloc=t, labeljust=l, pad=0.4, nodesep=0.45, ranksep=1.3, newrank=true, bgcolor="white",`,
        `           label=<<b>stackwire · ${html(graph.name)}</b><br/><font point-size="11" color="#6E7781">${html(LEGEND)}</font>>];`,
        `    node [shape=box, style="rounded,filled", fillcolor="white", fontname="Helvetica", fontsize=13, fontcolor="#1F2328", penwidth=1.8, margin="0.3,0.1"];`,
        `    edge [fontname="Helvetica", fontsize=11, penwidth=1.8, arrowsize=0.9];`,
    ];
    for (const cluster of graph.clusters) {
        const { label, color, fill } = PLATFORM_STYLES[cluster.platform];
        lines.push(`    subgraph cluster_${cluster.platform} {`);
        lines.push(`        label=<<b>${html(label)}</b>>; fontsize=16; fontcolor="${color}"; style="rounded,filled"; color="${color}"; fillcolor="${fill}"; penwidth=2; margin=16;`);
        for (const node of cluster.nodes) {
            const detail = node.detail ? `<br/><font point-size="11" color="#57606A">${html(node.detail)}</font>` : "";
            lines.push(`        ${node.id} [label=<<b>${html(node.title)}</b>${detail}>, color="${color}"];`);
        }
        lines.push("    }");
    }
    for (const edge of graph.edges) {
        const color = PLATFORM_STYLES[platformOf.get(edge.from) ?? "keys"].color;
        const label = edge.flows.map(html).join("<br/>");
        lines.push(`    ${edge.from} -> ${edge.to} [label=<${label}>, color="${color}", fontcolor="${color}", style=${DOT_EDGE_STYLE[edge.kind]}];`);
    }
    lines.push("}");
    return `${lines.join("\n")}\n`;
}

// ---- SVG and PNG ---------------------------------------------------------------------------

/** What renders DOT: `(await instance())` of @viz-js/viz, created once and shared (it takes a second). */
export interface DotRenderer {
    renderString(dot: string, options: { format: "svg" }): string;
}

let shared: Promise<DotRenderer> | undefined;

/** The Graphviz WebAssembly instance, loaded on first use. */
export function graphviz(): Promise<DotRenderer> {
    shared ??= instance();
    return shared;
}

export async function toSvg(graph: StackGraph, renderer?: DotRenderer): Promise<string> {
    return (renderer ?? (await graphviz())).renderString(toDot(graph), { format: "svg" });
}

/**
 * Fonts for the PNG. Graphviz sizes labels with Helvetica's metrics. Where Helvetica is missing
 * (Linux), DejaVu Sans Condensed (Debian's fonts-dejavu-core) has about its widths: it is loaded
 * alone, as the only "DejaVu Sans" (with the regular faces beside it, those would be chosen and
 * overflow their boxes). Elsewhere the system's fonts are used (Helvetica on macOS).
 */
const CONDENSED_FONTS = [
    ["/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"],
    ["/usr/share/fonts/dejavu/DejaVuSansCondensed.ttf", "/usr/share/fonts/dejavu/DejaVuSansCondensed-Bold.ttf"],
    ["/usr/share/fonts/TTF/DejaVuSansCondensed.ttf", "/usr/share/fonts/TTF/DejaVuSansCondensed-Bold.ttf"],
];

export class NoFontError extends Error {
    constructor() {
        super("PNG: no font to draw the labels with: install one (on Debian or Ubuntu: apt-get install fonts-dejavu-core), or use --format svg");
        this.name = "NoFontError";
    }
}

function fontOptions() {
    const condensed = CONDENSED_FONTS.find((files) => files.every((file) => existsSync(file)));
    return condensed ? { loadSystemFonts: false, fontFiles: condensed, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" } : { loadSystemFonts: true };
}

/** The PNG of an SVG: `maxWidth` pixels wide, or twice the drawing's own size when that is smaller (a small graph is not blown up). */
export function toPng(svg: string, maxWidth = 1600): Buffer {
    const font = fontOptions();
    // Without a font resvg draws no text at all, silently: a picture of empty boxes.
    const probe = new Resvg(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="0" y="15" font-family="Helvetica,sans-serif">Ag</text></svg>`, { font });
    if (!probe.getBBox()) throw new NoFontError();
    const width = Math.min(maxWidth, Math.round(new Resvg(svg, { font }).width * 2));
    return new Resvg(svg, { fitTo: { mode: "width", value: width }, background: "white", font }).render().asPng();
}
