/** Signature checks with WebCrypto, compared in constant time. */

const encoder = new TextEncoder();

export const utf8 = (text: string) => encoder.encode(text);

export async function hmac(hash: "SHA-1" | "SHA-256", secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const key = await crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export function base64(bytes: Uint8Array): string {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
}

/** Whether two strings are equal, in time that depends on their lengths only (not on where they differ). */
export function sameSecret(given: string | null, expected: string): boolean {
    if (given === null) return false;
    const a = utf8(given);
    const b = utf8(expected);
    let diff = a.length ^ b.length;
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
    return diff === 0;
}
