/** Lets a user adjust a child's args without forking the component (SST's Transform). */
export type Transform<Args> = (args: Args, name: string) => Args | void;

export function applyTransform<Args>(args: Args, name: string, transform?: Transform<Args>): Args {
    if (!transform) return args;
    return transform(args, name) ?? args;
}
