"""SQL shared by the storage engines, with row conversions."""
