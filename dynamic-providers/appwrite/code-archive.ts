/**
 * A function's code as Appwrite takes it: one tar.gz (POST /functions/{id}/deployments, `code`).
 * Packed the same way every time (sorted paths, zero times and owners), so equal code gives equal
 * bytes and the same hash.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

const BLOCK = 512;

function octal(value: number, width: number): string {
    return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** ustar keeps a path in `name` (100 bytes) and, when longer, its leading directories in `prefix` (155). */
function splitPath(path: string): { name: string; prefix: string } {
    if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
    for (let cut = path.lastIndexOf("/"); cut > 0; cut = path.lastIndexOf("/", cut - 1)) {
        const [prefix, name] = [path.slice(0, cut), path.slice(cut + 1)];
        if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
    }
    throw new Error(`path too long for a tar archive: ${path}`);
}

function header(path: string, size: number): Buffer {
    const block = Buffer.alloc(BLOCK);
    const { name, prefix } = splitPath(path);
    block.write(name, 0);
    block.write(octal(0o644, 8), 100);
    block.write(octal(0, 8), 108);
    block.write(octal(0, 8), 116);
    block.write(octal(size, 12), 124);
    block.write(octal(0, 12), 136);
    block.write("        ", 148); // the checksum counts its own field as spaces
    block.write("0", 156);
    block.write("ustar\0", 257);
    block.write("00", 263);
    block.write(prefix, 345);
    let sum = 0;
    for (const byte of block) sum += byte;
    block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    return block;
}

/** The files, by relative path, as a gzipped tar archive. */
export function packCode(files: Readonly<Record<string, string>>): Buffer {
    const parts: Buffer[] = [];
    for (const path of Object.keys(files).sort()) {
        const content = Buffer.from(files[path], "utf8");
        parts.push(header(path, content.length), content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
    }
    parts.push(Buffer.alloc(BLOCK * 2));
    return gzipSync(Buffer.concat(parts), { level: 9 });
}

/** The files of a gzipped tar archive (regular files only), by path. */
export function unpackCode(archive: Uint8Array): Map<string, Uint8Array> {
    const tar = gunzipSync(archive);
    const files = new Map<string, Uint8Array>();
    for (let at = 0; at + BLOCK <= tar.length; ) {
        const block = tar.subarray(at, at + BLOCK);
        if (block.every((b) => b === 0)) break;
        const text = (from: number, length: number) => block.subarray(from, from + length).toString("utf8").replace(/\0.*$/s, "");
        const size = parseInt(text(124, 12).trim() || "0", 8);
        const prefix = text(345, 155);
        const name = `${prefix ? `${prefix}/` : ""}${text(0, 100)}`.replace(/^\.\//, "");
        const type = text(156, 1);
        if (type === "0" || type === "") files.set(name, new Uint8Array(tar.subarray(at + BLOCK, at + BLOCK + size)));
        at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
    return files;
}

/** What identifies a deployment's code: the hash of the archive it is sent as. */
export function codeHash(files: Readonly<Record<string, string>>): string {
    return createHash("sha256").update(packCode(files)).digest("hex");
}
