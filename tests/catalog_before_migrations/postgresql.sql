-- The catalog's tables as `create_all` made them on PostgreSQL before the catalog had
-- migrations (catalog_db/models.py at commit 76be7a3): the database that a `make run` of that
-- time left, for tests/test_catalog_migrations.py. Statements are separated by blank lines.

CREATE TABLE institutions (
	id SERIAL NOT NULL,
	name VARCHAR(200) NOT NULL,
	phone VARCHAR(40),
	email VARCHAR(200),
	website VARCHAR(300),
	PRIMARY KEY (id),
	UNIQUE (name)
);

CREATE TABLE programs (
	id SERIAL NOT NULL,
	slug VARCHAR(100) NOT NULL,
	name VARCHAR(200) NOT NULL,
	name_normalized VARCHAR(200) NOT NULL,
	kind VARCHAR(20) NOT NULL,
	level VARCHAR(20),
	institution_id INTEGER NOT NULL,
	cost_usd NUMERIC(10, 2),
	duration_min INTEGER,
	duration_max INTEGER,
	duration_unit VARCHAR(10),
	credits_min INTEGER,
	credits_max INTEGER,
	delivery_format VARCHAR(20),
	eligibility TEXT,
	financial_aid BOOLEAN,
	audience TEXT,
	summary TEXT,
	stacks_into TEXT,
	PRIMARY KEY (id),
	CONSTRAINT ck_programs_kind CHECK (kind IN ('micro-credential', 'certificate', 'degree')),
	CONSTRAINT ck_programs_level CHECK (level IN ('undergraduate', 'graduate')),
	CONSTRAINT ck_programs_duration_unit CHECK (duration_unit IN ('hours', 'days', 'weeks', 'months', 'years')),
	CONSTRAINT ck_programs_delivery_format CHECK (delivery_format IN ('online', 'in_person', 'hybrid')),
	CONSTRAINT ck_programs_cost_usd CHECK (cost_usd >= 0),
	CONSTRAINT ck_programs_duration_range CHECK (duration_min <= duration_max),
	CONSTRAINT ck_programs_credits_range CHECK (credits_min <= credits_max),
	FOREIGN KEY(institution_id) REFERENCES institutions (id)
);

CREATE INDEX ix_programs_cost_usd ON programs (cost_usd);

CREATE INDEX ix_programs_kind ON programs (kind);

CREATE INDEX ix_programs_delivery_format ON programs (delivery_format);

CREATE INDEX ix_programs_name_normalized ON programs (name_normalized);

CREATE UNIQUE INDEX ix_programs_slug ON programs (slug);

CREATE TABLE program_aliases (
	id SERIAL NOT NULL,
	program_id INTEGER NOT NULL,
	alias VARCHAR(200) NOT NULL,
	alias_normalized VARCHAR(200) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(program_id) REFERENCES programs (id) ON DELETE CASCADE
);

CREATE INDEX ix_program_aliases_program_id ON program_aliases (program_id);

CREATE INDEX ix_program_aliases_alias_normalized ON program_aliases (alias_normalized);

CREATE TABLE program_topics (
	program_id INTEGER NOT NULL,
	topic VARCHAR(100) NOT NULL,
	PRIMARY KEY (program_id, topic),
	FOREIGN KEY(program_id) REFERENCES programs (id) ON DELETE CASCADE
);

CREATE INDEX ix_program_topics_topic ON program_topics (topic);
