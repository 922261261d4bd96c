/**
 * Every schema call stackwire makes, in one place. Appwrite 1.5+ names these databases,
 * collections and attributes (the Databases service); 1.8 also offers TablesDB with tables and
 * columns for the same objects. Moving to TablesDB changes this file only.
 */
import type { Databases } from "node-appwrite";

export type AttributeType = "string" | "integer" | "float" | "boolean" | "email" | "url" | "ip" | "enum" | "datetime" | "relationship";

/** The attribute fields the API takes, in Appwrite's own names. */
export interface AttributeSpec {
    type: AttributeType;
    key: string;
    required: boolean;
    array: boolean;
    default: unknown;
    size?: number;
    min?: number | null;
    max?: number | null;
    elements?: string[];
    relatedCollectionId?: string;
    relationType?: string;
    twoWay?: boolean;
    twoWayKey?: string | null;
    onDelete?: string;
}

type Db = Databases & Record<string, (params: Record<string, unknown>) => Promise<any>>;

const CREATE: Record<AttributeType, string> = {
    string: "createStringAttribute",
    integer: "createIntegerAttribute",
    float: "createFloatAttribute",
    boolean: "createBooleanAttribute",
    email: "createEmailAttribute",
    url: "createUrlAttribute",
    ip: "createIpAttribute",
    enum: "createEnumAttribute",
    datetime: "createDatetimeAttribute",
    relationship: "createRelationshipAttribute",
};

const UPDATE: Record<AttributeType, string> = Object.fromEntries(Object.entries(CREATE).map(([t, m]) => [t, m.replace("create", "update")])) as Record<AttributeType, string>;

/**
 * The bounds Appwrite gives a number attribute created without them: PHP_INT_MIN and PHP_INT_MAX
 * for integers (exact, as BigInt: the SDK writes them digit for digit), ∓PHP_FLOAT_MAX for floats
 * (appwrite/appwrite src/Appwrite/Platform/Modules/Databases/Http/Databases/Collections/Attributes/
 * Integer/Create.php and Float/Create.php).
 */
export function openBounds(type: "integer" | "float"): { min: number | bigint; max: number | bigint } {
    return type === "integer" ? { min: BigInt("-9223372036854775808"), max: BigInt("9223372036854775807") } : { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
}

/**
 * Type-specific fields. A create leaves an open bound out (the server opens it); an update must
 * send the open bound itself, since Appwrite keeps the bound in place when `min` or `max` is
 * absent or null (Attributes/Action.php updateAttribute: `$min ??= $formatOptions['min']`).
 */
function typeParams(spec: AttributeSpec, forUpdate = false): Record<string, unknown> {
    switch (spec.type) {
        case "string":
            return { size: spec.size };
        case "integer":
        case "float": {
            const open = forUpdate ? openBounds(spec.type) : { min: undefined, max: undefined };
            return { min: spec.min ?? open.min, max: spec.max ?? open.max };
        }
        case "enum":
            return { elements: spec.elements };
        default:
            return {};
    }
}

export const schemaApi = {
    /** The project's databases, as `queries` filter them (where a database lives: see places.ts). */
    listDatabases: (db: Databases, queries: string[]) => db.list({ queries }),
    createDatabase: (db: Databases, databaseId: string, name: string, enabled: boolean) => db.create({ databaseId, name, enabled }),
    getDatabase: (db: Databases, databaseId: string) => db.get({ databaseId }),
    updateDatabase: (db: Databases, databaseId: string, name: string, enabled: boolean) => db.update({ databaseId, name, enabled }),
    deleteDatabase: (db: Databases, databaseId: string) => db.delete({ databaseId }),

    createCollection: (db: Databases, p: { databaseId: string; collectionId: string; name: string; permissions: string[]; documentSecurity: boolean; enabled: boolean }) => db.createCollection(p),
    getCollection: (db: Databases, databaseId: string, collectionId: string) => db.getCollection({ databaseId, collectionId }),
    updateCollection: (db: Databases, p: { databaseId: string; collectionId: string; name: string; permissions: string[]; documentSecurity: boolean; enabled: boolean }) => db.updateCollection(p),
    deleteCollection: (db: Databases, databaseId: string, collectionId: string) => db.deleteCollection({ databaseId, collectionId }),

    createAttribute(db: Databases, databaseId: string, collectionId: string, spec: AttributeSpec) {
        const base = { databaseId, collectionId };
        if (spec.type === "relationship") {
            return (db as Db)[CREATE.relationship]({
                ...base,
                relatedCollectionId: spec.relatedCollectionId,
                type: spec.relationType,
                twoWay: spec.twoWay,
                key: spec.key,
                twoWayKey: spec.twoWayKey ?? undefined,
                onDelete: spec.onDelete,
            });
        }
        return (db as Db)[CREATE[spec.type]]({ ...base, key: spec.key, required: spec.required, xdefault: spec.default ?? undefined, array: spec.array, ...typeParams(spec) });
    },
    getAttribute: (db: Databases, databaseId: string, collectionId: string, key: string) => db.getAttribute({ databaseId, collectionId, key }) as Promise<Record<string, any>>,
    updateAttribute(db: Databases, databaseId: string, collectionId: string, spec: AttributeSpec) {
        const base = { databaseId, collectionId, key: spec.key };
        if (spec.type === "relationship") return (db as Db)[UPDATE.relationship]({ ...base, onDelete: spec.onDelete });
        // Appwrite requires the default on every update; null clears it.
        return (db as Db)[UPDATE[spec.type]]({ ...base, required: spec.required, xdefault: spec.default ?? null, ...typeParams(spec, true) });
    },
    deleteAttribute: (db: Databases, databaseId: string, collectionId: string, key: string) => db.deleteAttribute({ databaseId, collectionId, key }),

    createIndex: (db: Databases, p: { databaseId: string; collectionId: string; key: string; type: string; attributes: string[]; orders?: string[] }) => db.createIndex(p as never),
    getIndex: (db: Databases, databaseId: string, collectionId: string, key: string) => db.getIndex({ databaseId, collectionId, key }) as Promise<Record<string, any>>,
    deleteIndex: (db: Databases, databaseId: string, collectionId: string, key: string) => db.deleteIndex({ databaseId, collectionId, key }),
};
