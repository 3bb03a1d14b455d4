-- Up Migration
-- Folio's schema. Postgres is the source of truth for everything; Redis and S3 hold derived or bulk data.

CREATE TYPE user_role AS ENUM ('admin', 'editor');

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email = lower(email)),
  name          text NOT NULL,
  role          user_role NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TYPE media_status AS ENUM ('pending', 'ready', 'failed', 'deleted');

CREATE TABLE media (
  id             uuid PRIMARY KEY,
  owner_id       uuid REFERENCES users (id) ON DELETE SET NULL,
  filename       text NOT NULL,
  content_type   text NOT NULL,
  size_bytes     bigint NOT NULL CHECK (size_bytes >= 0),
  original_key   text NOT NULL,
  status         media_status NOT NULL DEFAULT 'pending',
  -- [{ name, key, contentType, width, height, bytes }], written by the worker when status becomes ready
  variants       jsonb NOT NULL DEFAULT '[]'::jsonb,
  width          integer,
  height         integer,
  failure_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- The worker's reconciler looks for rows stuck in pending; cleanup looks for deleted ones.
CREATE INDEX media_status_updated_at ON media (status, updated_at);
CREATE INDEX media_created_at ON media (created_at DESC, id DESC);

CREATE TYPE article_status AS ENUM ('draft', 'published', 'trashed');

CREATE TABLE articles (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug           text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title          text NOT NULL,
  body           text NOT NULL DEFAULT '',
  excerpt        text NOT NULL DEFAULT '',
  cover_media_id uuid REFERENCES media (id) ON DELETE SET NULL,
  tags           text[] NOT NULL DEFAULT '{}',
  status         article_status NOT NULL DEFAULT 'draft',
  published_at   timestamptz,
  trashed_at     timestamptz,
  author_id      uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Optimistic concurrency: every change increments it; the ETag is derived from it.
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX articles_slug_key ON articles (slug);
CREATE INDEX articles_published ON articles (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_tags ON articles USING gin (tags);
CREATE INDEX articles_trashed ON articles (trashed_at) WHERE status = 'trashed';

-- Every change keeps the version it replaced.
CREATE TABLE article_revisions (
  article_id     uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  version        integer NOT NULL,
  slug           text NOT NULL,
  title          text NOT NULL,
  body           text NOT NULL,
  excerpt        text NOT NULL,
  cover_media_id uuid,
  tags           text[] NOT NULL,
  status         article_status NOT NULL,
  edited_by      uuid REFERENCES users (id) ON DELETE SET NULL,
  saved_at       timestamptz NOT NULL,
  PRIMARY KEY (article_id, version)
);

-- Responses to POST requests that carried an Idempotency-Key, written in the same transaction as the
-- change they describe, so a retry either replays the response or redoes the whole change.
CREATE TABLE idempotency_keys (
  user_id         uuid NOT NULL,
  key             text NOT NULL,
  method          text NOT NULL,
  path            text NOT NULL,
  request_hash    text NOT NULL,
  response_status integer NOT NULL,
  response_body   jsonb,
  response_headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE article_revisions;
DROP TABLE articles;
DROP TYPE article_status;
DROP TABLE media;
DROP TYPE media_status;
DROP TABLE users;
DROP TYPE user_role;
