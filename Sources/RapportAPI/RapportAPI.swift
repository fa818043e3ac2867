// Generated from openapi.yaml by swift-openapi-generator at build time.
