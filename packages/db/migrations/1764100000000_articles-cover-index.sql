-- Up Migration
-- Articles looked up by their cover: the worker asks whether a media item it just finished is a published
-- article's cover (only then must the public cache be invalidated), and deleting a media row sets the covers
-- that point at it to NULL through the foreign key. Without this index both scan every article.
-- Plain CREATE INDEX takes a lock that blocks writes to articles while it builds; on a large table, build it
-- with CREATE INDEX CONCURRENTLY outside a transaction instead.
CREATE INDEX articles_cover_media_id ON articles (cover_media_id) WHERE cover_media_id IS NOT NULL;

-- Down Migration
DROP INDEX articles_cover_media_id;
