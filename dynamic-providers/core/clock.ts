/** Time as the toolkit reads it and waits on it; tests and benchmarks pass a virtual one. */

export type Sleep = (ms: number) => Promise<void>;

export interface Clock {
    now(): number;
    sleep: Sleep;
    /** Marks work in flight (an HTTP request): a virtual clock does not move on while it lasts. */
    track?<T>(work: Promise<T>): Promise<T>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
