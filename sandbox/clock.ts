/**
 * A clock whose time moves only when everything waiting on it is waiting: emulators and providers
 * that share one run minutes of rate-limit windows and background builds in a few real
 * milliseconds, in the same order as in real time.
 */
import type { Clock } from "../dynamic-providers/core/clock";

/** Real time with no new wait before the clock moves on: requests in flight land first. */
const QUIET_MS = 10;

interface Timer {
    at: number;
    resolve(): void;
}

export class VirtualClock implements Clock {
    private time: number;
    private timers: Timer[] = [];
    private pending?: NodeJS.Timeout;
    private inFlight = 0;

    constructor(start = Date.UTC(2026, 0, 1)) {
        this.time = start;
    }

    now(): number {
        return this.time;
    }

    /** Resolves when the clock reaches now + ms; the clock moves once all is quiet, to the next timer. */
    readonly sleep = (ms: number): Promise<void> =>
        new Promise((resolve) => {
            this.timers.push({ at: this.time + Math.max(0, ms), resolve });
            this.soon();
        });

    /** Work in flight (a request) holds the clock: nothing it started can be overtaken by time. */
    readonly track = async <T>(work: Promise<T>): Promise<T> => {
        this.inFlight += 1;
        try {
            return await work;
        } finally {
            this.inFlight -= 1;
            this.soon();
        }
    };

    /** Waits `ms` of real time quiet, then moves to the earliest timer and wakes everything due. */
    private soon(): void {
        if (this.pending) clearTimeout(this.pending);
        this.pending = setTimeout(() => {
            this.pending = undefined;
            if (this.timers.length === 0 || this.inFlight > 0) return;
            this.time = Math.max(this.time, Math.min(...this.timers.map((t) => t.at)));
            const due = this.timers.filter((t) => t.at <= this.time);
            this.timers = this.timers.filter((t) => t.at > this.time);
            for (const t of due) t.resolve();
            if (this.timers.length > 0) this.soon();
        }, QUIET_MS);
    }
}
