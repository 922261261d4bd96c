import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Engine tests serialize providers: they run on compiled JavaScript under node --test.
        exclude: ["test/engine/**", "node_modules/**", "bin/**"],
        // Code that holds a dynamic provider is imported from bin/ and must reach Node untransformed,
        // or Pulumi's closure serializer fails under mocks.
        server: { deps: { external: [/\/bin\//] } },
        testTimeout: 30_000,
        pool: "forks",
        // Test files mostly wait on emulators and servers: two at a time even on two cores.
        maxWorkers: Math.max(2, availableParallelism() - 1),
    },
});
