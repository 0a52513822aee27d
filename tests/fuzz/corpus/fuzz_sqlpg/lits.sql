SELECT 'it''s', "a""b", x'00ff' -- c
/* d */ FROM t WHERE a LIKE ?1 ORDER BY b DESC