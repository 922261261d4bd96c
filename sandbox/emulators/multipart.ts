/**
 * multipart/form-data bodies (RFC 7578), as a server reads them: text fields by name, files by
 * name with their file name and bytes. Appwrite takes a function's code this way.
 */
export interface MultipartBody {
    fields: Record<string, string>;
    files: Record<string, { filename: string; data: Buffer }>;
}

/** The parts of a multipart body; undefined when the content type is not multipart or has no boundary. */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartBody | undefined {
    const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
    if (!boundary) return undefined;
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    const out: MultipartBody = { fields: {}, files: {} };
    let at = body.indexOf(delimiter);
    while (at >= 0) {
        const start = at + delimiter.length;
        if (body.subarray(start, start + 2).toString() === "--") break;
        const next = body.indexOf(delimiter, start);
        if (next < 0) break;
        // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
        const part = body.subarray(start + 2, next - 2);
        const split = part.indexOf("\r\n\r\n");
        const headers = part.subarray(0, split).toString("utf8");
        const content = part.subarray(split + 4);
        const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
        const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
        const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
        if (name !== undefined) {
            if (filename !== undefined) out.files[name] = { filename, data: Buffer.from(content) };
            else out.fields[name] = content.toString("utf8");
        }
        at = next;
    }
    return out;
}
