"""Organizations in the local AWS: moto's Organizations, made as strict as AWS (`strict`).

Errors in AWS's words (`errors`), the organization's rules and paging (`rules`), policies
(`policies`) and the account lifecycle with its asynchronous states (`lifecycle`).
"""
