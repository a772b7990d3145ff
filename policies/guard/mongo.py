"""What the MongoDB Node driver does: which methods write, which commands write, which stages write."""
from __future__ import annotations

WRITE_PREFIXES = ("insert", "update", "replace", "delete", "findOneAnd", "drop")
WRITE_METHODS = frozenset({
    "bulkWrite", "createIndex", "createIndexes", "createSearchIndex", "createSearchIndexes",
    "updateSearchIndex", "rename", "createCollection", "initializeOrderedBulkOp",
    "initializeUnorderedBulkOp", "renameCollection", "addUser", "removeUser",
    "openUploadStream", "openUploadStreamWithId",
})
WRITE_COMMANDS = frozenset({
    "insert", "update", "delete", "findAndModify", "create", "drop", "dropDatabase", "collMod",
    "createIndexes", "dropIndexes", "renameCollection", "createUser", "dropUser", "updateUser",
    "grantRolesToUser", "revokeRolesFromUser", "createRole", "dropRole", "convertToCapped",
    "cloneCollectionAsCapped", "compact", "reIndex", "createSearchIndexes", "updateSearchIndex",
    "dropSearchIndex", "applyOps", "shardCollection",
})
WRITE_STAGES = frozenset({"$out", "$merge"})
CLIENT_FACTORIES = frozenset({"MongoClient"})
PASS_THROUGH = frozenset({"all", "allSettled", "race", "any", "resolve", "values", "freeze", "assign"})


def is_write_method(name: str) -> bool:
    """True for the driver methods that change data, indexes or collections."""
    return name in WRITE_METHODS or name.startswith(WRITE_PREFIXES)
# Deny by default: on a driver object (client, db, collection) only these methods and properties are
# known not to write; anything else is reported as a use the guard cannot resolve.
READ_METHODS = frozenset({
    "find", "findOne", "aggregate", "countDocuments", "estimatedDocumentCount", "count", "distinct",
    "indexes", "indexExists", "indexInformation", "listIndexes", "listSearchIndexes", "isCapped", "options",
    "watch", "stats", "listCollections", "collection", "collections", "db", "admin", "command", "runCommand",
    "runCursorCommand", "profilingLevel", "connect", "close", "startSession", "on", "once", "off",
    "removeListener", "then", "catch", "finally", "get", "valueOf", "toString", "toJSON",
})
READ_PROPERTIES = frozenset({
    "collectionName", "dbName", "databaseName", "namespace", "readConcern", "readPreference", "writeConcern",
    "bsonOptions", "timeoutMS", "options",
})
DRIVER_KINDS = frozenset({"client", "db", "coll"})
