-- The site's own tables: its users, and its clients, tokens and codes with
-- columns of its own beside the ones the OAuth derives map. Binary
-- collation: client ids, digests and emails compare byte for byte, as on the
-- other backends (MySQL's default collation would match `APP` to `app`).
CREATE TABLE members (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    email VARCHAR(255) NOT NULL UNIQUE,
    display_name VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE my_clients (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    public_id VARCHAR(255) NOT NULL UNIQUE,
    secret_sha256 VARCHAR(255),
    metadata_json TEXT NOT NULL,
    owner INTEGER REFERENCES members (id),
    -- The site's own: not mapped, filled by its default.
    plan VARCHAR(32) NOT NULL DEFAULT 'free'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE my_tokens (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    member_id INTEGER,
    client VARCHAR(255) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    access_sha256 VARCHAR(255) NOT NULL UNIQUE,
    refresh_sha256 VARCHAR(255) UNIQUE,
    scope TEXT NOT NULL,
    refresh_scope TEXT NOT NULL,
    -- Instants as timestamps (UTC), lifetimes in seconds.
    created DATETIME NOT NULL,
    lifetime BIGINT NOT NULL,
    access_revoked DATETIME,
    refresh_revoked DATETIME,
    family VARCHAR(255) NOT NULL,
    note TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX my_tokens_family ON my_tokens (family);

CREATE TABLE my_codes (
    id INTEGER PRIMARY KEY AUTO_INCREMENT NOT NULL,
    code_sha256 VARCHAR(255) NOT NULL UNIQUE,
    client VARCHAR(255) NOT NULL,
    member_id INTEGER NOT NULL,
    redirect_uri TEXT,
    response_type VARCHAR(32) NOT NULL,
    scope TEXT NOT NULL,
    created DATETIME NOT NULL,
    challenge VARCHAR(255),
    challenge_method VARCHAR(16)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
