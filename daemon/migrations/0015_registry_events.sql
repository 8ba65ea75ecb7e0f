-- The registry's event feed (protocol 1.1): where a registry source's reading stands.
ALTER TABLE sources ADD COLUMN registry_cursor TEXT;
