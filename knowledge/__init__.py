"""hecbot's knowledge engine: ingestion, index, retrieval, answering (no Telegram, no SQL).

Entry points: ``knowledge.engine.build_engine(KnowledgeConfig)`` → ``KnowledgeEngine``;
``knowledge.cli.kb_app`` / ``knowledge.cli.ask_command`` for the CLI. Submodules are imported
explicitly so that importing this package stays cheap.
"""
