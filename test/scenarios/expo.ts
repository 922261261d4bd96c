/** Expo's EAS environment variables against the Expo GraphQL emulator. */
import { expoVariableDefinition } from "../../dynamic-providers/expo/variable";
import { ExpoEmulator } from "../../sandbox/emulators/expo";
import type { KindScenario, VendorRig } from "./scenario";

export const EXPO_PROJECT = "2f0c6a8e-7b1d-4c3e-9a5f-0e1d2c3b4a59";

export function expoScenarios(): KindScenario[] {
    const token = "expo-robot-token-of-acme-0123456789";
    /** Another account's robot: Expo takes it, and refuses it this project (UNAUTHORIZED_ERROR). */
    const otherToken = "expo-robot-token-of-other-0123456789";
    const emulator = new ExpoEmulator({ accounts: [{ name: "acme", token, apps: { [EXPO_PROJECT]: "@acme/mobile" } }, { name: "other", token: otherToken, apps: {} }] });
    const rig: VendorRig = { vendor: "expo", emulator, credentials: { expoToken: token }, connection: () => ({ baseUrl: emulator.url }) };
    return [
        {
            kind: "expo:EnvironmentVariable",
            rig,
            definition: expoVariableDefinition,
            inputs: async () => ({ projectId: EXPO_PROJECT, name: "EXPO_PUBLIC_MAPBOX_TOKEN", value: "pk.eyJ1IjoiYWNtZSJ9.scenarioValue", visibility: "SECRET", environments: ["production", "preview"] }),
            change: { visibility: "SENSITIVE", environments: ["production"] },
            writes: { create: "POST /graphql CreateEnvironmentVariableForApp", update: "POST /graphql UpdateEnvironmentVariable", delete: "POST /graphql DeleteEnvironmentVariable" },
            held: () => [...emulator.variables.keys()],
            secretInputs: (inputs, canary) => ({ ...inputs, value: canary }),
            blind: { credentials: { expoToken: otherToken }, answers: "200 with errors[0].extensions.errorCode UNAUTHORIZED_ERROR: Entity not authorized: AppEntity[…]" },
            removeOutOfBand: (id) => void emulator.variables.delete(id),
            verify: (id, outs) => {
                const v = emulator.variables.get(id);
                if (v?.value !== outs.value || v?.visibility !== outs.visibility) throw new Error(`Expo variable ${id} holds another value or visibility than the outputs say`);
            },
        },
    ];
}
