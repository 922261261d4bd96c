/**
 * The real PostgreSQL and Redis servers some tests run against. On a laptop without them those
 * tests are skipped, saying why and how to run them; under CI (`STACKWIRE_REQUIRE_SERVERS=1`,
 * set by .ci/run) a missing server fails the run instead.
 */
export async function missingServer(what: string, address: string, setting: string, probe: () => Promise<unknown>): Promise<string | undefined> {
    try {
        await probe();
        return undefined;
    } catch (err) {
        const why = (err as { code?: string; message?: string }).code ?? (err as Error).message;
        const reason = `${what} at ${address.replace(/\/\/[^@/]*@/, "//")} is not reachable (${why})`;
        if (process.env.STACKWIRE_REQUIRE_SERVERS === "1") throw new Error(`${reason}, and STACKWIRE_REQUIRE_SERVERS=1 requires it`);
        console.warn(`${reason}: its tests are skipped. Install and start ${what} (apt-get install postgresql redis-server, as .ci/run does) or point ${setting} at one.`);
        return reason;
    }
}
