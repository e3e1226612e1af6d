"""The request policy: rules a pull request must satisfy (`vend check`), and the CODEOWNERS file
written from its reviewers (`vend codeowners`). Pure but for reading git; never calls AWS."""
