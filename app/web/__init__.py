"""The pages of the MedKB web app: each module shows one page with show(kb)."""
