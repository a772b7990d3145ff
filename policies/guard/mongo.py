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
