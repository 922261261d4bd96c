/** Shared shape of a benchmark step and its printing. */
export interface StepFigure {
    step: string;
    objects: number;
    requests: number;
    byRoute: Record<string, number>;
    ms: number;
}

export interface Counted {
    resetCounts(): void;
    totalRequests(): number;
    requestCounts(): Record<string, number>;
}

/** Runs one step over every object and records what the emulator saw. */
export async function measure<T>(figures: StepFigure[], emulator: Counted, step: string, objects: T[], run: (object: T) => Promise<void>): Promise<void> {
    emulator.resetCounts();
    const started = performance.now();
    for (const object of objects) await run(object);
    figures.push({ step, objects: objects.length, requests: emulator.totalRequests(), byRoute: emulator.requestCounts(), ms: performance.now() - started });
}

export function printFigures(title: string, figures: StepFigure[]): void {
    console.log(`\n${title}\n`);
    console.log(`${"step".padEnd(34)}${"objects".padStart(8)}${"requests".padStart(10)}${"per object".padStart(12)}${"ms".padStart(8)}   routes`);
    for (const f of figures) {
        const routes = Object.entries(f.byRoute).map(([route, n]) => `${route} x${n}`).join(", ") || "none";
        console.log(`${f.step.padEnd(34)}${String(f.objects).padStart(8)}${String(f.requests).padStart(10)}${(f.requests / f.objects).toFixed(2).padStart(12)}${f.ms.toFixed(0).padStart(8)}   ${routes}`);
    }
}

/** The middle value of a series (the upper one of an even count). */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}
