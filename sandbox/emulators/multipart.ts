/**
 * multipart/form-data bodies (RFC 7578), as a server reads them. `multipartParts` gives every
 * part in order, repeated names included (Supabase's function deploy sends one `file` part per
 * source); `parseMultipart` gives one part per name, text fields and files apart (Appwrite takes
 * a function's code as one `code` file).
 */
export interface FormPart {
    name: string;
    /** Set for a file part: its file name as sent (a path, for Supabase's deploy). */
    filename?: string;
    data: Buffer;
}

export interface MultipartBody {
    fields: Record<string, string>;
    files: Record<string, { filename: string; data: Buffer }>;
}

/** The parts of a multipart body; undefined when the content type is not multipart or has no boundary. */
export function multipartParts(contentType: string | undefined, body: Buffer): FormPart[] | undefined {
    const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
    if (!boundary) return undefined;
    const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
    const parts: FormPart[] = [];
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
        const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
        const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
        const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
        if (name !== undefined) parts.push({ name, ...(filename !== undefined ? { filename } : {}), data: Buffer.from(part.subarray(split + 4)) });
        at = next;
    }
    return parts;
}

/** The body by name (the last part of a repeated name wins); undefined when it is not multipart. */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartBody | undefined {
    const parts = multipartParts(contentType, body);
    if (!parts) return undefined;
    const out: MultipartBody = { fields: {}, files: {} };
    for (const { name, filename, data } of parts) {
        if (filename !== undefined) out.files[name] = { filename, data };
        else out.fields[name] = data.toString("utf8");
    }
    return out;
}
