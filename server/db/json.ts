// Structured columns (outputs, errors, inputs) are JSON text, so SQLite and PostgreSQL store them alike.
export const parseJson = <T>(text: string | null | undefined): T | null => (text ? (JSON.parse(text) as T) : null);
